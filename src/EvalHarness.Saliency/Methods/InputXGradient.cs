using EvalHarness.Engine;
using EvalHarness.Saliency.Gradients;

namespace EvalHarness.Saliency.Methods;

/// <summary>
/// Input × gradient (Shrikumar et al. 2016, arXiv 1605.01713; captum InputXGradient): attribution
/// x ⊙ ∂y^c/∂x; the map is |Σ_c x_c ∂y^c/∂x_c| by default.
/// </summary>
public sealed class InputXGradient(string reduction = "abs-sum") : AttributionMethod(reduction, "inputxgradient")
{
    public override MethodDescriptor Descriptor { get; } =
        new("inputxgradient", 1, "gradient", false, $"Shrikumar et al. 2016 (arXiv 1605.01713); map {reduction.Trim().ToLowerInvariant()}");

    protected override Tensor Attribute(ExplainContext context, Tensor images, IReadOnlyList<int> targets, Dictionary<string, Tensor> extras)
    {
        var g = InputGradients.Of(context, images, targets);
        System.Numerics.Tensors.TensorPrimitives.Multiply(g.Data, images.Data, g.Data); // x ⊙ ∂y^c/∂x
        return g;
    }
}
