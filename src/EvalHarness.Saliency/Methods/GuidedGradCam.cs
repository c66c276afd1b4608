using EvalHarness.Engine;
using EvalHarness.Saliency.Gradients;

namespace EvalHarness.Saliency.Methods;

/// <summary>
/// Guided Grad-CAM (Selvaraju et al. 2017, §3.2): the guided-backpropagation attribution multiplied
/// pointwise, in every channel, by the Grad-CAM map at input resolution (<see cref="GradCam"/>'s map:
/// ReLU, min-max, bilinear upsampling, min-max). Map: max_c |a_c| by default; the Grad-CAM map is kept in
/// Extras["gradcam"].
/// </summary>
public sealed class GuidedGradCam(string reduction = "abs-max") : AttributionMethod(reduction, "guidedgradcam")
{
    public override MethodDescriptor Descriptor { get; } =
        new("guidedgradcam", 1, "gradient", true, $"Selvaraju et al. 2017, §3.2 (guided backpropagation ⊙ Grad-CAM); map {reduction.Trim().ToLowerInvariant()}");

    protected override Tensor Attribute(ExplainContext context, Tensor images, IReadOnlyList<int> targets, Dictionary<string, Tensor> extras)
    {
        var cam = new GradCam().Explain(context, images, targets).Maps; // N×H×W in [0, 1]
        var guided = InputGradients.Of(context, images, targets, ReluRules.GuidedBackprop);
        int plane = images.H * images.W;
        for (int n = 0; n < images.N; n++)
            for (int c = 0; c < images.C; c++)
            {
                var g = guided.Data.AsSpan((n * images.C + c) * plane, plane);
                System.Numerics.Tensors.TensorPrimitives.Multiply(g, cam.Sample(n), g); // guided ⊙ L^c_Grad-CAM
            }
        extras["gradcam"] = cam;
        return guided;
    }
}
