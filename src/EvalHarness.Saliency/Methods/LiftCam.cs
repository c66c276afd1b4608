using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Saliency.DeepLift;

namespace EvalHarness.Saliency.Methods;

/// <summary>
/// LIFT-CAM (Jung &amp; Oh 2021, arXiv 2102.05228, eq. 9-10), following the authors' code: DeepLIFT
/// (Rescale rule, zero reference, captum's DeepLift) attributes the target logit to the activation
/// A through the head F (the layers after the target layer); α_k = Σ_ij (A_kij − 0)·m_kij, the summed
/// contribution of map k; L = ReLU(Σ_k α_k A_k), upsampled and min-max normalised. The channel
/// contributions reported for the SHAP-error metric are these DeepLIFT sums themselves.
/// </summary>
public sealed class LiftCam : CamMethod
{
    public override MethodDescriptor Descriptor { get; } =
        new("liftcam", 1, "cam", true, "Jung & Oh 2021 (arXiv 2102.05228), eq. 9-10; authors' code (captum DeepLift)");

    protected override bool UsesGradients => false;

    protected override Tensor ChannelWeights(CamInputs c)
    {
        var graph = c.Context.Graph;
        var head = graph.ForwardFrom(c.Layer, c.Activations, recordForBackward: true);
        var reference = graph.ForwardFrom(c.Layer, new Tensor(c.Activations.ShapeArray), recordForBackward: true); // zero reference map
        var rules = new DeepLiftRules(reference, graph.IndexOf(c.Layer));
        head.BackwardFromClasses(c.Targets, new BackwardOptions { Rules = rules.RuleFor });
        var multipliers = head.InputGradient!;
        var alpha = new Tensor(c.N, c.K);
        for (int n = 0; n < c.N; n++)
            for (int k = 0; k < c.K; k++)
                alpha[n, k] = System.Numerics.Tensors.TensorPrimitives.Dot(c.A(n, k), multipliers.Data.AsSpan((n * c.K + k) * c.Hw, c.Hw)); // eq. 9: Σ_ij (A − 0)·m
        return alpha;
    }

    protected override Tensor? Contributions(CamInputs inputs, Tensor weights) => weights.Clone();
}
