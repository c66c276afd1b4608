namespace EvalHarness.Reports.Results;

/// <summary>
/// One image of the run's gallery sample (gallery/index.json): the network input as PNG and each method's
/// map as an H×W float32 .npy at the input resolution, with the annotations in the same frame.
/// Paths are relative to the results folder.
/// </summary>
public sealed record GalleryItem(
    string ImageId, int Label, int Target, int Prediction, int Width, int Height,
    IReadOnlyList<GalleryBox> Boxes, string InputPng, IReadOnlyDictionary<string, string> Maps);

/// <summary>A box in the network-input frame: columns X0 ≤ x &lt; X1, rows Y0 ≤ y &lt; Y1.</summary>
public sealed record GalleryBox(int Class, int X0, int Y0, int X1, int Y1);
