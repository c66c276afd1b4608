using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Graph;
using Tensor = EvalHarness.Engine.Tensor;

namespace EvalHarness.Saliency.Lrp;

/// <summary>
/// LRP-ε (Bach et al. 2015, eq. 58; Montavon et al. 2019 §10.2.2): z = Wx + b,
/// R_i = x_i Σ_j w_ij R_j / stab(z_j), stab(z) = z + ε·sign(z). ε = 0 gives LRP-0.
/// </summary>
public sealed class EpsilonRule(AffineLayer layer, float epsilon = LrpRule.DefaultStabilizer) : LrpRule
{
    private Layer? _f;

    public override string Name => FormattableString.Invariant($"epsilon({epsilon})");

    /// <summary>Keeps no tensor of the pass: the pass may recycle its buffers.</summary>
    public override bool KeepsTensors => false;

    public override Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput)
    {
        using var scratch = Temporaries();
        _f ??= layer.Plain();
        var x = inputs[0];
        var s = Ratio(gradOutput, layer.IsFolded ? Forward(_f, x) : output, epsilon); // z = Wx + b
        return [Combine((1f, x, Transposed(_f, x, s)))];
    }
}
