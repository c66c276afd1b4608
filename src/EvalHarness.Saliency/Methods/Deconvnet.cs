using EvalHarness.Engine;
using EvalHarness.Saliency.Gradients;

namespace EvalHarness.Saliency.Methods;

/// <summary>
/// Deconvnet (Zeiler &amp; Fergus 2014, §2.1): the gradient of y^c with every ReLU's backward replaced by
/// <see cref="ReluRules.Deconvnet"/> (captum's Deconvolution); map max_c |a_c| by default.
/// </summary>
public sealed class Deconvnet(string reduction = "abs-max") : AttributionMethod(reduction, "deconvnet")
{
    public override MethodDescriptor Descriptor { get; } =
        new("deconvnet", 1, "gradient", false, $"Zeiler & Fergus 2014, §2.1; map {reduction.Trim().ToLowerInvariant()}");

    protected override Tensor Attribute(ExplainContext context, Tensor images, IReadOnlyList<int> targets, Dictionary<string, Tensor> extras) =>
        InputGradients.Of(context, images, targets, ReluRules.Deconvolution);
}
