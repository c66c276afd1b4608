using EvalHarness.Metrics;

namespace EvalHarness.Harness.Datasets;

/// <summary>
/// An item's annotations in the network-input frame (what localisation metrics take).
/// </summary>
/// <param name="Boxes">Boxes of every class that keep at least one pixel inside the input, in the item's order.</param>
/// <param name="Masks">Masks resized to the input frame (Width·Height flags each), null when the item has no masks; masks with no pixel left are dropped.</param>
/// <param name="Clipped">Boxes that reached outside the input (cut by the crop or beyond the image) and were clipped to it.</param>
/// <param name="Dropped">Boxes with nothing left inside the input.</param>
/// <param name="MasksDropped">Masks with no pixel left inside the input.</param>
public sealed record InputAnnotations(
    IReadOnlyList<BoundingBox> Boxes, IReadOnlyList<ObjectMask>? Masks, int Clipped, int Dropped, int MasksDropped);
