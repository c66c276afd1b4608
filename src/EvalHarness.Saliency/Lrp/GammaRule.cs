using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Graph;
using Tensor = EvalHarness.Engine.Tensor;

namespace EvalHarness.Saliency.Lrp;

/// <summary>
/// Generalised LRP-γ (Montavon et al. 2019, §10.2.3; Andéol et al. 2021; zennit Gamma). With
/// W↑ = W + γW⁺, W↓ = W + γW⁻ (biases likewise) and the plain output o = Wx + b: where o &gt; 0,
/// z_j = W↑x⁺ + b↑ + W↓x⁻ and R_i = (x_i⁺ w↑_ij + x_i⁻ w↓_ij) R_j / stab(z_j); where o &lt; 0,
/// z_j = W↓x⁺ + b↓ + W↑x⁻ and R_i = (x_i⁺ w↓_ij + x_i⁻ w↑_ij) R_j / stab(z_j); where o = 0 nothing flows.
/// </summary>
public sealed class GammaRule(AffineLayer layer, float gamma = 0.25f, float stabilizer = LrpRule.DefaultStabilizer) : LrpRule
{
    private Layer? _up, _down, _upNoBias, _downNoBias, _plain;

    public override string Name => FormattableString.Invariant($"gamma({gamma})");

    /// <summary>Keeps no tensor of the pass: the pass may recycle its buffers.</summary>
    public override bool KeepsTensors => false;

    public override Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput)
    {
        using var scratch = Temporaries();
        float g = gamma;
        _up ??= layer.With(w => w + g * Relu(w), b => b + g * Relu(b));
        _down ??= layer.With(w => w + g * NegativePart(w), b => b + g * NegativePart(b));
        _upNoBias ??= layer.With(w => w + g * Relu(w), null);
        _downNoBias ??= layer.With(w => w + g * NegativePart(w), null);
        _plain ??= layer.Plain();
        var x = inputs[0];
        var xp = Positive(x);
        var xn = Negative(x);
        var o = Forward(_plain, x);
        var zPos = Sum(Forward(_up, xp), Forward(_downNoBias, xn));
        var zNeg = Sum(Forward(_down, xp), Forward(_upNoBias, xn));
        var sPos = Ratio(gradOutput, zPos, stabilizer);
        var sNeg = Ratio(gradOutput, zNeg, stabilizer);
        for (int i = 0; i < o.Length; i++)
        {
            if (!(o.Data[i] > 0)) sPos.Data[i] = 0;
            if (!(o.Data[i] < 0)) sNeg.Data[i] = 0;
        }
        return [Combine(
            (1f, xp, Transposed(_up, xp, sPos)), (1f, xn, Transposed(_down, xn, sPos)),
            (1f, xp, Transposed(_down, xp, sNeg)), (1f, xn, Transposed(_up, xn, sNeg)))];
    }
}
