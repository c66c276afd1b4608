namespace EvalHarness.Harness.Datasets;

/// <summary>
/// One image of a dataset: a stable <see cref="Id"/> (the file stem for ImageNet, e.g. ILSVRC2012_val_00000001),
/// its ground-truth class, and its annotations in the source image's pixel frame.
/// </summary>
/// <param name="Label">Ground-truth class index, or −1 when the dataset has no label for the image.</param>
/// <param name="Path">The image file, when the dataset reads files.</param>
/// <param name="Boxes">Object boxes in source pixels (may be empty).</param>
/// <param name="Masks">Object pixel masks in source pixels (synthetic data; null when the dataset has none).</param>
public sealed record DatasetItem(
    string Id, int Label, IReadOnlyList<SourceBox> Boxes, string? Path = null, IReadOnlyList<SourceMask>? Masks = null);

/// <summary>
/// An object box in continuous source-pixel coordinates, half-open: columns X0 ≤ x &lt; X1, rows Y0 ≤ y &lt; Y1
/// (pixel i covers [i, i + 1)). A 1-based inclusive VOC box xmin..xmax is X0 = xmin − 1, X1 = xmax; an ILSVRC box
/// (XML or Kaggle LOC CSV) is 0-based inclusive, so X0 = xmin, X1 = xmax + 1 (evidence in IlsvrcBox).
/// </summary>
public readonly record struct SourceBox(int Class, double X0, double Y0, double X1, double Y1);

/// <summary>An object's pixel mask over the source image: <see cref="Pixels"/> in row-major order, Width·Height flags.</summary>
public sealed record SourceMask(int Class, int Width, int Height, bool[] Pixels);
