using EvalHarness.Engine;
using EvalHarness.Saliency.Gradients;

namespace EvalHarness.Saliency.Methods;

/// <summary>
/// Vanilla gradient / saliency map (Simonyan, Vedaldi &amp; Zisserman 2014, §3.1): attribution
/// ∂y^c/∂x; the map is max_c |∂y^c/∂x_c| (eq. after (4)) by default.
/// </summary>
public sealed class Gradient(string reduction = "abs-max") : AttributionMethod(reduction, "gradient")
{
    public override MethodDescriptor Descriptor { get; } =
        new("gradient", 1, "gradient", false, $"Simonyan et al. 2014, §3.1; map {reduction.Trim().ToLowerInvariant()}");

    protected override Tensor Attribute(ExplainContext context, Tensor images, IReadOnlyList<int> targets, Dictionary<string, Tensor> extras) =>
        InputGradients.Of(context, images, targets);
}
