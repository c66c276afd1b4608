using EvalHarness.Engine;

namespace EvalHarness.Metrics.Localization;

/// <summary>
/// The annotated region of the target class in one image: the union of its boxes (half-open pixel
/// ranges, clipped to the image) or of its object masks. Boxes and masks of other classes are ignored.
/// </summary>
internal sealed class TargetRegion
{
    public const string Boxes = "boxes";
    public const string Masks = "masks";

    private readonly List<BoundingBox> _boxes = [];
    private readonly bool[]? _mask;
    private readonly int _width;

    private TargetRegion(int width) => _width = width;

    private TargetRegion(int width, bool[] mask) : this(width) => _mask = mask;

    /// <summary>The region, or null with a reason when the image has none (the image is skipped).</summary>
    public static (TargetRegion? Region, string? Reason) Of(MetricContext context, int n, string kind, string metric)
    {
        int target = context.Targets[n], width = context.MapWidth, height = context.MapHeight;
        if (kind == Boxes)
        {
            var boxes = context.Boxes ?? throw new EvalHarnessException($"Metric '{metric}' with region: boxes needs annotated boxes; the context has none.");
            var region = new TargetRegion(width);
            bool any = false;
            foreach (var b in boxes[n])
            {
                if (b.Class != target) continue;
                any = true;
                var clipped = new BoundingBox(b.Class, Math.Max(b.X0, 0), Math.Max(b.Y0, 0), Math.Min(b.X1, width), Math.Min(b.Y1, height));
                if (clipped.X1 > clipped.X0 && clipped.Y1 > clipped.Y0) region._boxes.Add(clipped);
            }
            if (region._boxes.Count > 0) return (region, null);
            return (null, any ? $"the boxes of class {target} are empty or lie outside the {width}×{height} map" : $"no box of class {target}");
        }
        var masks = context.Masks ?? throw new EvalHarnessException($"Metric '{metric}' with region: masks needs object masks; the context has none.");
        var union = new bool[width * height];
        bool anyMask = false, anyPixel = false;
        foreach (var m in masks[n])
        {
            if (m.Class != target) continue;
            anyMask = true;
            for (int i = 0; i < union.Length; i++)
                if (m.Pixels[i])
                {
                    union[i] = true;
                    anyPixel = true;
                }
        }
        if (anyPixel) return (new TargetRegion(width, union), null);
        return (null, anyMask ? $"the masks of class {target} are empty" : $"no mask of class {target}");
    }

    public bool Contains(int y, int x)
    {
        if (_mask != null) return _mask[y * _width + x];
        foreach (var b in _boxes)
            if (x >= b.X0 && x < b.X1 && y >= b.Y0 && y < b.Y1) return true;
        return false;
    }

    /// <summary>
    /// Squared distance from pixel (y, x) to the nearest pixel of the region (0 inside), as TorchRay's
    /// acceptance test measures it between integer pixel coordinates.
    /// </summary>
    public long SquaredDistance(int y, int x, int height)
    {
        long best = long.MaxValue;
        if (_mask != null)
        {
            for (int r = 0; r < height; r++)
            {
                long dy = r - y;
                if (dy * dy >= best) continue;
                for (int c = 0; c < _width; c++)
                {
                    if (!_mask[r * _width + c]) continue;
                    long dx = c - x, d = dx * dx + dy * dy;
                    if (d < best) best = d;
                }
            }
            return best;
        }
        foreach (var b in _boxes)
        {
            // nearest pixel of the box: clamp into [X0, X1 − 1] × [Y0, Y1 − 1]
            long dx = x < b.X0 ? b.X0 - x : x > b.X1 - 1 ? x - (b.X1 - 1) : 0;
            long dy = y < b.Y0 ? b.Y0 - y : y > b.Y1 - 1 ? y - (b.Y1 - 1) : 0;
            best = Math.Min(best, dx * dx + dy * dy);
        }
        return best;
    }
}
