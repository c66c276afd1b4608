using EvalHarness.Engine;

namespace EvalHarness.Saliency;

internal static class SaliencyChecks
{
    public static void CheckBatch(ExplainContext context, Tensor images, IReadOnlyList<int> targets)
    {
        if (images.Rank != 4)
            throw new ShapeException($"Images must be N×C×H×W, got {images.ShapeString}.");
        if (targets.Count != images.N)
            throw new ShapeException($"{targets.Count} target classes for a batch of {images.N} images.");
        images.EnsureFinite("The input images");
    }
}
