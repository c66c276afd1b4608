using EvalHarness.Engine.Imaging;

namespace EvalHarness.Harness.Datasets.Synthetic;

/// <summary>
/// One generated image: the picture, its class, and the class-defining object's pixel mask
/// (row-major, Size·Size flags) and its bounding box (the mask's, half-open source pixels).
/// </summary>
public sealed record SyntheticSample(Image Image, int Label, bool[] Mask, SourceBox Box, int Distractors);
