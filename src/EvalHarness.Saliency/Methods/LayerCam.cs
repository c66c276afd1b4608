using EvalHarness.Engine;

namespace EvalHarness.Saliency.Methods;

/// <summary>LayerCAM (Jiang et al. 2021, eq. 4-5): L = ReLU(Σ_k ReLU(G_k) ⊙ A_k). No channel weights.</summary>
public sealed class LayerCam : CamMethod
{
    public override MethodDescriptor Descriptor { get; } =
        new("layercam", 1, "cam", true, "Jiang et al. 2021, eq. 4-5");

    protected override Tensor? ChannelWeights(CamInputs c) => null;

    protected override Tensor RawMap(CamInputs c, Tensor? weights)
    {
        var raw = new Tensor(c.N, c.Activations.H, c.Activations.W);
        for (int n = 0; n < c.N; n++)
        {
            var dst = raw.Sample(n);
            for (int k = 0; k < c.K; k++)
            {
                var a = c.A(n, k);
                var g = c.G(n, k);
                for (int i = 0; i < dst.Length; i++) dst[i] += Math.Max(g[i], 0f) * a[i]; // eq. 4: ReLU(G) ⊙ A
            }
        }
        return raw;
    }
}
