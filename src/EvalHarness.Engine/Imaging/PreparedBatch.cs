namespace EvalHarness.Engine.Imaging;

/// <summary>Preprocessed images stacked into one N×3×H×W input, with each image's transform.</summary>
public sealed record PreparedBatch(Tensor Tensor, IReadOnlyList<InputTransform> Transforms);
