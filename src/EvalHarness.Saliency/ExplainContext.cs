using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;

namespace EvalHarness.Saliency;

/// <summary>What a method may use besides the images: the model, the target layer, the seed, the batch size.</summary>
public sealed class ExplainContext
{
    public required Graph Graph { get; init; }

    /// <summary>Module path of the layer CAM-like methods read ("layer4", "features.29").</summary>
    public string? TargetLayer { get; init; }

    /// <summary>Seed of every random choice a method makes (noise, masks, permutations).</summary>
    public ulong Seed { get; init; }

    /// <summary>Largest batch a method sends through the model at once.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>
    /// The dataset ids of the images of the batch being explained, in batch order, when the caller knows
    /// them (the runner does). Methods that read stored maps (precomputed) find them by id.
    /// </summary>
    public IReadOnlyList<string>? ImageIds { get; init; }

    /// <summary>
    /// The random stream of <paramref name="purpose"/> for image <paramref name="n"/> of a batch. It is
    /// derived from the seed and the image's content, so an image gets the same numbers alone or in
    /// any batch, at any position.
    /// </summary>
    public Rng RngFor(string purpose, Tensor images, int n)
    {
        ulong h = 0xcbf29ce484222325UL;
        foreach (float v in images.Sample(n)) h = (h ^ BitConverter.SingleToUInt32Bits(v)) * 0x100000001b3UL;
        return Rng.Derive(Seed ^ h, purpose);
    }

    public string RequireTargetLayer(string method)
    {
        if (string.IsNullOrWhiteSpace(TargetLayer))
            throw new EvalHarnessException($"Method '{method}' needs a target layer; none was given. Cut points of this model: " +
                string.Join(", ", Graph.CutPoints().TakeLast(12)) + ".");
        Graph.IndexOf(TargetLayer); // throws with near misses
        return TargetLayer;
    }
}
