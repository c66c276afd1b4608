using EvalHarness.Engine;

namespace EvalHarness.Saliency.Methods;

/// <summary>XGrad-CAM (Fu et al. 2020): α_k = Σ_ij (A_kij / Σ_ab A_kab)·G_kij, with pytorch-grad-cam's 1e-7.</summary>
public sealed class XGradCam : CamMethod
{
    public override MethodDescriptor Descriptor { get; } =
        new("xgradcam", 1, "cam", true, "Fu et al. 2020, eq. 9");

    protected override Tensor ChannelWeights(CamInputs c)
    {
        var alpha = new Tensor(c.N, c.K);
        for (int n = 0; n < c.N; n++)
        {
            for (int k = 0; k < c.K; k++)
            {
                var a = c.A(n, k);
                double sumA = 0;
                foreach (float v in a) sumA += v;
                double dot = System.Numerics.Tensors.TensorPrimitives.Dot(a, c.G(n, k));
                alpha[n, k] = (float)(dot / (sumA + 1e-7));
            }
        }
        return alpha;
    }
}
