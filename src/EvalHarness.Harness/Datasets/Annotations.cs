using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Metrics;

namespace EvalHarness.Harness.Datasets;

/// <summary>Brings an item's source-frame annotations into the network-input frame of a preprocessing.</summary>
public static class Annotations
{
    /// <summary>Tolerance (pixels) for floating-point noise in mapped edges before rounding.</summary>
    private const double Eps = 1e-6;

    /// <summary>
    /// Boxes: mapped linearly by <see cref="InputTransform.MapBox"/> (continuous coordinates, clipped to
    /// the input), then made integer and half-open by taking every pixel the box touches: X0 = ⌊x0⌋,
    /// X1 = ⌈x1⌉ (the same for rows), after a 10⁻⁶ pixel tolerance so that an edge landing on a pixel
    /// boundary up to rounding noise stays on it. A box that leaves nothing inside the input is dropped;
    /// one that reached outside it is clipped; both are counted. Masks: nearest neighbour at pixel
    /// centres through the transform (torch's 'nearest-exact'): input pixel (x, y) takes the mask pixel
    /// under the source point of its centre, ⌊(x + ½ + CropLeft)·maskWidth / ResizedWidth⌋ (rows alike),
    /// so a mask of another resolution than the image is scaled with it.
    /// </summary>
    public static InputAnnotations ToInputFrame(DatasetItem item, InputTransform t)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(t);
        var boxes = new List<BoundingBox>(item.Boxes.Count);
        int clipped = 0, dropped = 0;
        foreach (var b in item.Boxes)
        {
            var mapped = t.MapBox(b.X0, b.Y0, b.X1, b.Y1);
            if (mapped is null) { dropped++; continue; }
            var (x0, y0, x1, y1) = mapped.Value;
            int ix0 = (int)Math.Floor(x0 + Eps), iy0 = (int)Math.Floor(y0 + Eps);
            int ix1 = (int)Math.Ceiling(x1 - Eps), iy1 = (int)Math.Ceiling(y1 - Eps);
            if (ix1 <= ix0 || iy1 <= iy0) { dropped++; continue; }
            var (u0, v0) = t.MapPoint(b.X0, b.Y0);
            var (u1, v1) = t.MapPoint(b.X1, b.Y1);
            if (u0 < -Eps || v0 < -Eps || u1 > t.Width + Eps || v1 > t.Height + Eps) clipped++;
            boxes.Add(new BoundingBox(b.Class, ix0, iy0, ix1, iy1));
        }
        List<ObjectMask>? masks = null;
        int masksDropped = 0;
        if (item.Masks != null)
        {
            masks = new List<ObjectMask>(item.Masks.Count);
            foreach (var m in item.Masks)
            {
                var mask = Resize(m, t, item.Id);
                if (Array.IndexOf(mask.Pixels, true) < 0) masksDropped++;
                else masks.Add(mask);
            }
        }
        return new InputAnnotations(boxes, masks, clipped, dropped, masksDropped);
    }

    private static ObjectMask Resize(SourceMask m, InputTransform t, string id)
    {
        if (m.Width <= 0 || m.Height <= 0 || m.Pixels is null || m.Pixels.Length != (long)m.Width * m.Height)
            throw new ShapeException($"Item '{id}': a mask of {m.Width}×{m.Height} needs {(long)m.Width * m.Height} flags, not {m.Pixels?.Length ?? 0}.");
        var columns = new int[t.Width];
        for (int x = 0; x < t.Width; x++)
            columns[x] = Math.Clamp((int)Math.Floor((x + 0.5 + t.CropLeft) * m.Width / t.ResizedWidth), 0, m.Width - 1);
        var pixels = new bool[t.Width * t.Height];
        for (int y = 0; y < t.Height; y++)
        {
            int sy = Math.Clamp((int)Math.Floor((y + 0.5 + t.CropTop) * m.Height / t.ResizedHeight), 0, m.Height - 1);
            var row = m.Pixels.AsSpan(sy * m.Width, m.Width);
            var dst = pixels.AsSpan(y * t.Width, t.Width);
            for (int x = 0; x < dst.Length; x++) dst[x] = row[columns[x]];
        }
        return new ObjectMask(m.Class, pixels);
    }
}
