namespace EvalHarness.Engine.Imaging;

/// <summary>A preprocessed image: the 1×3×H×W network input and how it was cut from the original.</summary>
public sealed record PreparedInput(Tensor Tensor, InputTransform Transform);
