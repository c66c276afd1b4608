using EvalHarness.Engine.Nn.Graph;
using Tensor = EvalHarness.Engine.Tensor;

namespace EvalHarness.Saliency.Lrp;

/// <summary>
/// Proportional redistribution through a parameter-free linear layer (zennit Norm, used for sums and
/// average pooling): z = f(x₁, …), R_k = x_k ⊙ ∂f/∂x_kᵀ (R / stab(z)). For a residual Add this splits R in
/// proportion a/(a + b) and b/(a + b); for average pooling in proportion to each input's share of the mean.
/// </summary>
public sealed class NormRule(float stabilizer = LrpRule.DefaultStabilizer) : LrpRule
{
    public override string Name => "norm";

    /// <summary>Keeps no tensor of the pass: the pass may recycle its buffers.</summary>
    public override bool KeepsTensors => false;

    public override Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput)
    {
        using var scratch = Temporaries();
        var s = Ratio(gradOutput, output, stabilizer);
        var grads = node.Layer.Backward(inputs, output, s, needInput, parameterGradients: false);
        var result = new Tensor?[inputs.Count];
        for (int k = 0; k < inputs.Count; k++)
            if (grads[k] is { } g) result[k] = Combine((1f, inputs[k], g));
        return result;
    }
}
