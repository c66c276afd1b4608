namespace EvalHarness.Metrics;

/// <summary>
/// An annotated object box in the maps' frame (the input frame after preprocessing, unless a localisation
/// metric is given maps resized to another frame such as the original image), in pixels: columns
/// <see cref="X0"/> ≤ x &lt; <see cref="X1"/>, rows <see cref="Y0"/> ≤ y &lt; <see cref="Y1"/> (half-open,
/// the Python slice semantics of the Score-CAM reference code, but with rows = y). A VOC box
/// (1-based, inclusive) xmin..xmax becomes X0 = xmin − 1, X1 = xmax, as TorchRay's voc_as_mask.
/// Parts outside the image are ignored; X1 = X0 is an empty box.
/// </summary>
public readonly record struct BoundingBox(int Class, int X0, int Y0, int X1, int Y1);
