using EvalHarness.Engine;

namespace EvalHarness.Saliency;

/// <summary>What a method returns for a batch.</summary>
public sealed class SaliencyResult
{
    /// <summary>N×H×W maps at the input resolution, in [0, 1] for normalised methods.</summary>
    public required Tensor Maps { get; init; }

    /// <summary>N×h×w maps at the layer's resolution before ReLU and normalisation (CAM family).</summary>
    public Tensor? RawMaps { get; init; }

    /// <summary>N×K channel weights α (CAM family).</summary>
    public Tensor? ChannelWeights { get; init; }

    /// <summary>
    /// N×K contributions of each activation map to the target score, comparable with Shapley values
    /// of the maps (e.g. Grad-CAM: α_k·Σ_ij A_kij; LIFT-CAM: DeepLIFT sums).
    /// </summary>
    public Tensor? ChannelContributions { get; init; }

    /// <summary>Further per-image outputs by name, e.g. "shapley_se" (N×players standard errors).</summary>
    public IReadOnlyDictionary<string, Tensor> Extras { get; init; } = new Dictionary<string, Tensor>();
}
