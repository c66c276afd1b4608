using EvalHarness.Engine;

namespace EvalHarness.Metrics.Localization;

/// <summary>
/// The energy-based pointing game (Wang et al. 2020, Score-CAM §4.3; haofanwang/Score-CAM
/// utils/energyPointGame.py): with the map min-max normalised, the share of its energy inside the
/// union of the target class's boxes, Σ_{inside} m / Σ m. Boxes are half-open pixel ranges as in the
/// reference's slices, but indexed [y, x] (rows are y; the reference indexes [x, y]). Images with
/// no region of the target class are skipped; a constant map (no energy) is not defined.
/// </summary>
public sealed class EnergyPointingGame : IMetric
{
    public EnergyPointingGame(string region = TargetRegion.Boxes) =>
        Region = region.Equals(TargetRegion.Masks, StringComparison.OrdinalIgnoreCase) ? TargetRegion.Masks
            : region.Equals(TargetRegion.Boxes, StringComparison.OrdinalIgnoreCase) ? TargetRegion.Boxes
            : throw new UnknownNameException(NameMatcher.UnknownMessage("region", region, [TargetRegion.Boxes, TargetRegion.Masks]));

    public string Region { get; }

    public MetricDescriptor Descriptor { get; } = new("energy-pointing-game", 1, MetricCategory.Localisation,
        "Wang et al. 2020 (arXiv 1910.01279) §4.3; haofanwang/Score-CAM utils/energyPointGame.py",
        [
            new MetricOutput("energy", MetricDirection.HigherIsBetter, "share of the min-max normalised map's sum inside the target class's region, in [0, 1]"),
            new MetricOutput("skipped", MetricDirection.None, "1 when the image has no region of the target class, else 0"),
        ]);

    public static EnergyPointingGame FromParameters(MethodParameters p) =>
        new(p.Choice("region", TargetRegion.Boxes, TargetRegion.Boxes, TargetRegion.Masks));

    public MetricBatchResult Evaluate(MetricContext context)
    {
        string name = Descriptor.Name;
        context.Validate(name, mapsAtInputResolution: false);
        var records = new List<MetricRecord>(2 * context.N);
        for (int n = 0; n < context.N; n++)
        {
            int c = context.Targets[n];
            var (region, reason) = TargetRegion.Of(context, n, Region, name);
            if (region is null)
            {
                records.Add(MetricRecord.NotDefined(n, c, name, "energy", "skipped: " + reason));
                records.Add(new MetricRecord(n, c, name, "skipped", 1));
                continue;
            }
            records.Add(new MetricRecord(n, c, name, "skipped", 0));
            if (context.MapProblem(n) is { } problem)
            {
                records.Add(MetricRecord.NotDefined(n, c, name, "energy", problem));
                continue;
            }
            var map = context.Map(n);
            double min = System.Numerics.Tensors.TensorPrimitives.Min(map), max = System.Numerics.Tensors.TensorPrimitives.Max(map);
            if (!(max > min))
            {
                records.Add(MetricRecord.NotDefined(n, c, name, "energy", "the map is constant, so its min-max normalisation has no energy"));
                continue;
            }
            double inside = 0, total = 0;
            for (int y = 0; y < context.MapHeight; y++)
                for (int x = 0; x < context.MapWidth; x++)
                {
                    double m = (map[y * context.MapWidth + x] - min) / (max - min);
                    total += m;
                    if (region.Contains(y, x)) inside += m;
                }
            records.Add(new MetricRecord(n, c, name, "energy", inside / total)); // Score-CAM §4.3: Σ L(i,j)∈bbox / Σ L(i,j)
        }
        return new MetricBatchResult
        {
            Records = records,
            Protocol = $"{name} v{Descriptor.Version}: map min-max normalised; Σ inside the union of the target class's {Region} / Σ over the image; " +
                "boxes are half-open [x0, x1)×[y0, y1) in the maps' frame with rows = y, clipped; images without a region of the target class are skipped",
        };
    }
}
