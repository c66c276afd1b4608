using EvalHarness.Engine;
using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Graph;
using Tensor = EvalHarness.Engine.Tensor;

namespace EvalHarness.Saliency.Lrp;

/// <summary>
/// LRP-αβ (Bach et al. 2015, eq. 60; zennit AlphaBeta): positive contributions z⁺_ij = x_i⁺w_ij⁺ + x_i⁻w_ij⁻
/// (normaliser Σ_i z⁺_ij + b_j⁺) and negative ones z⁻_ij = x_i⁺w_ij⁻ + x_i⁻w_ij⁺ (normaliser Σ_i z⁻_ij + b_j⁻);
/// R_i = Σ_j (α z⁺_ij/stab(z⁺_j) − β z⁻_ij/stab(z⁻_j)) R_j, with α − β = 1.
/// </summary>
public sealed class AlphaBetaRule : LrpRule
{
    private readonly AffineLayer _layer;
    private readonly float _alpha, _beta, _stabilizer;
    private Layer? _plus, _minus, _plusNoBias, _minusNoBias;

    public AlphaBetaRule(AffineLayer layer, float alpha, float beta, float stabilizer = DefaultStabilizer)
    {
        if (alpha < 0 || beta < 0 || Math.Abs(alpha - beta - 1) > 1e-6)
            throw new EvalHarnessException($"LRP α{alpha}β{beta}: α and β must be ≥ 0 with α − β = 1 (e.g. α2β1, α1β0).");
        (_layer, _alpha, _beta, _stabilizer) = (layer, alpha, beta, stabilizer);
    }

    public override string Name => FormattableString.Invariant($"alpha{_alpha}beta{_beta}");

    /// <summary>Keeps no tensor of the pass: the pass may recycle its buffers.</summary>
    public override bool KeepsTensors => false;

    public override Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput)
    {
        using var scratch = Temporaries();
        _plus ??= _layer.With(Relu, Relu);
        _minus ??= _layer.With(NegativePart, NegativePart);
        _plusNoBias ??= _layer.With(Relu, null);
        _minusNoBias ??= _layer.With(NegativePart, null);
        var x = inputs[0];
        var xp = Positive(x);
        var xn = Negative(x);
        var sp = Ratio(gradOutput, Sum(Forward(_plus, xp), Forward(_minusNoBias, xn)), _stabilizer);
        var sn = Ratio(gradOutput, Sum(Forward(_minus, xp), Forward(_plusNoBias, xn)), _stabilizer);
        return [Combine(
            (_alpha, xp, Transposed(_plus, xp, sp)), (_alpha, xn, Transposed(_minus, xn, sp)),
            (-_beta, xp, Transposed(_minus, xp, sn)), (-_beta, xn, Transposed(_plus, xn, sn)))];
    }
}
