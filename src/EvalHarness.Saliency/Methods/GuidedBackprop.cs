using EvalHarness.Engine;
using EvalHarness.Saliency.Gradients;

namespace EvalHarness.Saliency.Methods;

/// <summary>
/// Guided backpropagation (Springenberg et al. 2015, arXiv 1412.6806, §3.4 and Fig. 1): the gradient of
/// y^c with every ReLU's backward replaced by <see cref="ReluRules.Guided"/>; map max_c |a_c| by default (TorchRay).
/// </summary>
public sealed class GuidedBackprop(string reduction = "abs-max") : AttributionMethod(reduction, "guidedbackprop")
{
    public override MethodDescriptor Descriptor { get; } =
        new("guidedbackprop", 1, "gradient", false, $"Springenberg et al. 2015 (arXiv 1412.6806), §3.4, Fig. 1; map {reduction.Trim().ToLowerInvariant()}");

    protected override Tensor Attribute(ExplainContext context, Tensor images, IReadOnlyList<int> targets, Dictionary<string, Tensor> extras) =>
        InputGradients.Of(context, images, targets, ReluRules.GuidedBackprop);
}
