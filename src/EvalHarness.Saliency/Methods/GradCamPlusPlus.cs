using EvalHarness.Engine;

namespace EvalHarness.Saliency.Methods;

/// <summary>
/// Grad-CAM++ (Chattopadhay et al. 2018, arXiv 1710.11063, eq. 19), with the exponential of the score
/// replaced by the score itself as in pytorch-grad-cam (so higher derivatives are powers of G), and its
/// 1e-6 in the denominator so maps compare 1:1.
/// </summary>
public sealed class GradCamPlusPlus : CamMethod
{
    public override MethodDescriptor Descriptor { get; } =
        new("gradcam++", 1, "cam", true, "Chattopadhay et al. 2018 (arXiv 1710.11063), eq. 19");

    protected override Tensor ChannelWeights(CamInputs c)
    {
        var alpha = new Tensor(c.N, c.K);
        for (int n = 0; n < c.N; n++)
        {
            for (int k = 0; k < c.K; k++)
            {
                var a = c.A(n, k);
                var g = c.G(n, k);
                double sumA = 0;
                foreach (float v in a) sumA += v;
                double w = 0;
                for (int i = 0; i < g.Length; i++)
                {
                    double gi = g[i];
                    if (gi == 0) continue;                                   // a_kij = 0 where G = 0
                    double g2 = gi * gi;
                    double aij = g2 / (2 * g2 + sumA * g2 * gi + 1e-6);     // eq. 19: a = G² / (2G² + Σ_ab A_kab·G³)
                    w += aij * Math.Max(gi, 0);                              // α_k = Σ_ij a_kij·ReLU(G_kij)
                }
                alpha[n, k] = (float)w;
            }
        }
        return alpha;
    }
}
