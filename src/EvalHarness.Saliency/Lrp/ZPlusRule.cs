using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Graph;
using Tensor = EvalHarness.Engine.Tensor;

namespace EvalHarness.Saliency.Lrp;

/// <summary>
/// LRP-z⁺ (Montavon et al. 2017, eq. for the z⁺-rule; zennit ZPlus, i.e. α1β0 that also admits negative
/// inputs): z_j = Σ_i (x_i⁺ w_ij⁺ + x_i⁻ w_ij⁻) + b_j⁺, R_i = Σ_j (x_i⁺ w_ij⁺ + x_i⁻ w_ij⁻) R_j / stab(z_j).
/// Without <paramref name="positiveBias"/> the bias is left out (JindongGu/Contrastive-LRP). With
/// <paramref name="negate"/> the weights are negated first (the dual class of CLRP type 1).
/// </summary>
public sealed class ZPlusRule(AffineLayer layer, float stabilizer = LrpRule.DefaultStabilizer, bool positiveBias = true, bool negate = false) : LrpRule
{
    private Layer? _plus, _minus;

    public override string Name => $"zplus{(positiveBias ? "" : "(no bias)")}{(negate ? "(negated)" : "")}";

    /// <summary>Keeps no tensor of the pass: the pass may recycle its buffers.</summary>
    public override bool KeepsTensors => false;

    public override Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput)
    {
        using var scratch = Temporaries();
        float sign = negate ? -1f : 1f;
        _plus ??= layer.With(w => Relu(sign * w), positiveBias ? b => Relu(sign * b) : null);
        _minus ??= layer.With(w => NegativePart(sign * w), null);
        var x = inputs[0];
        var xp = Positive(x);
        var xn = Negative(x);
        var s = Ratio(gradOutput, Sum(Forward(_plus, xp), Forward(_minus, xn)), stabilizer);
        return [Combine((1f, xp, Transposed(_plus, xp, s)), (1f, xn, Transposed(_minus, xn, s)))];
    }
}
