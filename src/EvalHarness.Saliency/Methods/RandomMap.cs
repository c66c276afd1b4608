using EvalHarness.Engine;

namespace EvalHarness.Saliency.Methods;

/// <summary>
/// The random baseline: every pixel of the map is uniform in [0, 1), independent of the model and the
/// target. The stream is <see cref="ExplainContext.RngFor"/>("random", image), so a map depends only on
/// the seed and the image, not on the batch. Any method that localises or explains worse than this
/// carries no information (e.g. Adebayo et al. 2018 compare against such maps).
/// </summary>
public sealed class RandomMap : ISaliencyMethod
{
    public MethodDescriptor Descriptor { get; } = new("random", 1, "baseline", false, "uniform [0, 1) noise per pixel from the seeded stream of each image");

    public SaliencyResult Explain(ExplainContext context, Tensor images, IReadOnlyList<int> targets)
    {
        SaliencyChecks.CheckBatch(context, images, targets);
        var maps = Tensor.Uninitialized(images.N, images.H, images.W);
        for (int n = 0; n < images.N; n++)
        {
            var rng = context.RngFor("random", images, n);
            var map = maps.Data.AsSpan(n * images.H * images.W, images.H * images.W);
            for (int i = 0; i < map.Length; i++) map[i] = (rng.NextUInt64() >> 40) * (1f / (1 << 24)); // 24 bits: exact in float, < 1
        }
        return new SaliencyResult { Maps = maps };
    }
}
