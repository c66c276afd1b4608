using EvalHarness.Engine;

namespace EvalHarness.Saliency;

/// <summary>
/// A saliency method, configured in its constructor and called on a batch of preprocessed images
/// (N×C×H×W) with one target class per image.
/// </summary>
public interface ISaliencyMethod
{
    MethodDescriptor Descriptor { get; }

    SaliencyResult Explain(ExplainContext context, Tensor images, IReadOnlyList<int> targets);
}

/// <summary>Declared metadata of a method; <see cref="Version"/> is bumped on any behaviour change.</summary>
/// <param name="Name">Registry name, e.g. "gradcam".</param>
/// <param name="Version">Goes into results and cache keys.</param>
/// <param name="Family">"cam", "gradient", "relevance", "perturbation", "baseline".</param>
/// <param name="NeedsTargetLayer">True when the method reads a layer's activations.</param>
/// <param name="Source">Paper and equation the implementation follows.</param>
public sealed record MethodDescriptor(string Name, int Version, string Family, bool NeedsTargetLayer, string Source);
