using EvalHarness.Engine;

namespace EvalHarness.Metrics.Localization;

/// <summary>
/// The pointing game (Zhang et al. 2016; TorchRay pointing_game.py): the map's maximum (the first in
/// row-major order) is a hit when some pixel of the target class's region lies at squared distance
/// &lt; tolerance² from it (TorchRay's acceptance disc; 0 inside the region, so a point inside is
/// always a hit). Images with no region of the target class are skipped and counted. Aggregate with
/// <see cref="PointingGameScore"/> for TorchRay's mean over classes of the per-class hit rate.
/// </summary>
public sealed class PointingGame : IMetric
{
    public PointingGame(double tolerance = 15, string region = TargetRegion.Boxes)
    {
        if (!(tolerance >= 0) || !double.IsFinite(tolerance)) throw new EvalHarnessException($"The pointing tolerance must be a finite number ≥ 0, got {tolerance}.");
        Tolerance = tolerance;
        Region = region.Equals(TargetRegion.Masks, StringComparison.OrdinalIgnoreCase) ? TargetRegion.Masks
            : region.Equals(TargetRegion.Boxes, StringComparison.OrdinalIgnoreCase) ? TargetRegion.Boxes
            : throw new UnknownNameException(NameMatcher.UnknownMessage("region", region, [TargetRegion.Boxes, TargetRegion.Masks]));
    }

    public double Tolerance { get; }

    /// <summary>boxes or masks.</summary>
    public string Region { get; }

    public MetricDescriptor Descriptor { get; } = new("pointing-game", 1, MetricCategory.Localisation,
        "Zhang et al. 2016 (arXiv 1608.00507) §5.1; facebookresearch/TorchRay pointing_game.py",
        [
            new MetricOutput("hit", MetricDirection.HigherIsBetter, "1 when the map's maximum lies within the tolerance of the target class's region, else 0; not defined when skipped"),
            new MetricOutput("skipped", MetricDirection.None, "1 when the image has no region of the target class, else 0"),
        ]);

    public static PointingGame FromParameters(MethodParameters p) =>
        new(p.Double("tolerance", 15, 0), p.Choice("region", TargetRegion.Boxes, TargetRegion.Boxes, TargetRegion.Masks));

    /// <summary>Row and column of the first maximum in row-major order (the map must be finite).</summary>
    public static (int Y, int X) ArgMax(ReadOnlySpan<float> map, int width)
    {
        int best = 0;
        for (int i = 1; i < map.Length; i++)
            if (map[i] > map[best]) best = i;
        return (best / width, best % width);
    }

    public MetricBatchResult Evaluate(MetricContext context)
    {
        string name = Descriptor.Name;
        context.Validate(name, mapsAtInputResolution: false);
        double t2 = Tolerance * Tolerance;
        var records = new List<MetricRecord>(2 * context.N);
        for (int n = 0; n < context.N; n++)
        {
            int c = context.Targets[n];
            var (region, reason) = TargetRegion.Of(context, n, Region, name);
            if (region is null)
            {
                records.Add(MetricRecord.NotDefined(n, c, name, "hit", "skipped: " + reason));
                records.Add(new MetricRecord(n, c, name, "skipped", 1));
                continue;
            }
            records.Add(new MetricRecord(n, c, name, "skipped", 0));
            if (context.MapProblem(n) is { } problem)
            {
                records.Add(MetricRecord.NotDefined(n, c, name, "hit", problem));
                continue;
            }
            var (y, x) = ArgMax(context.Map(n), context.MapWidth);
            long d2 = region.SquaredDistance(y, x, context.MapHeight);
            bool hit = d2 == 0 || d2 < t2; // TorchRay: accept = (v + u) < tolerance**2
            records.Add(new MetricRecord(n, c, name, "hit", hit ? 1 : 0));
        }
        return new MetricBatchResult
        {
            Records = records,
            Protocol = $"{name} v{Descriptor.Version}: first maximum of the map (row-major); hit when a pixel of the target class's {Region} " +
                $"lies at squared distance < {Tolerance.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}² (inside always hits); boxes are half-open [x0, x1)×[y0, y1) in the maps' frame, clipped; " +
                "images without a region of the target class are skipped",
        };
    }
}
