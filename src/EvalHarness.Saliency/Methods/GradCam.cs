namespace EvalHarness.Saliency.Methods;

/// <summary>Grad-CAM (Selvaraju et al. 2017).</summary>
public sealed class GradCam : CamMethod
{
    public override MethodDescriptor Descriptor { get; } =
        new("gradcam", 1, "cam", true, "Selvaraju et al. 2017, eq. 1");

    protected override Engine.Tensor ChannelWeights(CamInputs c)
    {
        var alpha = new Engine.Tensor(c.N, c.K);
        for (int n = 0; n < c.N; n++)
            for (int k = 0; k < c.K; k++)
                alpha[n, k] = System.Numerics.Tensors.TensorPrimitives.Sum(c.G(n, k)) / c.Hw; // eq. 1: α_k = (1/Z) Σ_ij ∂y^c/∂A_kij
        return alpha;
    }
}
