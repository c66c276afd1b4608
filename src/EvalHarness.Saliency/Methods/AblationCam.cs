using EvalHarness.Engine;

namespace EvalHarness.Saliency.Methods;

/// <summary>
/// Ablation-CAM (Desai &amp; Ramaswamy 2020, eq. 3): α_k = (y^c − y^c_{A_k=0}) / y^c, where y^c_{A_k=0}
/// is the target logit when map k is zeroed. The K ablations of each image run through the head in batches.
/// </summary>
public sealed class AblationCam : CamMethod
{
    public override MethodDescriptor Descriptor { get; } =
        new("ablationcam", 2, "cam", true, "Desai & Ramaswamy 2020, eq. 3");

    protected override bool UsesGradients => false;

    protected override Tensor ChannelWeights(CamInputs c)
    {
        var alpha = new Tensor(c.N, c.K);
        var logits = c.Forward.Output;
        int[] itemShape = c.Activations.ShapeArray[1..];
        int itemLength = c.K * c.Hw;
        for (int n = 0; n < c.N; n++)
        {
            int target = c.Targets[n];
            float y = BatchedModel.Logit(logits, n, target);
            var a = c.Activations.Data.AsMemory(n * itemLength, itemLength);
            var ablated = BatchedModel.RunHead(c.Context, c.Layer, c.K, itemShape, (k, dst) =>
            {
                a.Span.CopyTo(dst);
                dst.Slice(k * c.Hw, c.Hw).Clear();
            });
            for (int k = 0; k < c.K; k++)
                alpha[n, k] = (y - BatchedModel.Logit(ablated, k, target)) / y; // eq. 3
        }
        return alpha;
    }

    /// <summary>The leave-one-out contribution y^c − y^c_{A_k=0} = α_k·y^c (LIFT-CAM §4's ablation comparison).</summary>
    protected override Tensor? Contributions(CamInputs c, Tensor weights)
    {
        var phi = new Tensor(c.N, c.K);
        for (int n = 0; n < c.N; n++)
        {
            float y = BatchedModel.Logit(c.Forward.Output, n, c.Targets[n]);
            for (int k = 0; k < c.K; k++) phi[n, k] = weights[n, k] * y;
        }
        return phi;
    }
}
