namespace EvalHarness.Metrics.Localization;

/// <summary>Pointing-game accuracy over a dataset.</summary>
/// <param name="PerImageRate">Hits / evaluated images.</param>
/// <param name="ClassMeanRate">TorchRay's accuracy: the mean over classes of hits/(hits + misses).</param>
/// <param name="PerClass">Hits and misses by class.</param>
/// <param name="Evaluated">Images with a defined hit value.</param>
/// <param name="Skipped">Images not evaluated (no region of the target class, or an unusable map).</param>
public sealed record PointingGameScore(double PerImageRate, double ClassMeanRate, IReadOnlyDictionary<int, (int Hits, int Misses)> PerClass, int Evaluated, int Skipped)
{
    /// <summary>
    /// Aggregates per-image 'hit' records. TorchRay (PointingGame.accuracy) averages the per-class rate
    /// over all <c>num_classes</c>, counting a class never evaluated as 0: pass
    /// <paramref name="classCount"/> to reproduce that; without it the mean runs over the classes that
    /// were evaluated at least once.
    /// </summary>
    public static PointingGameScore FromHits(IEnumerable<MetricRecord> hits, int? classCount = null)
    {
        var perClass = new SortedDictionary<int, (int Hits, int Misses)>();
        int evaluated = 0, skipped = 0, total = 0;
        foreach (var r in hits)
        {
            if (r.ValueName != "hit") continue;
            if (!r.IsDefined)
            {
                skipped++;
                continue;
            }
            if (classCount is int k && r.Target >= k)
                throw new ArgumentOutOfRangeException(nameof(classCount), $"Class {r.Target} of image {r.ImageIndex} is outside the {k} classes.");
            evaluated++;
            var (h, m) = perClass.GetValueOrDefault(r.Target);
            if (r.Value == 1)
            {
                perClass[r.Target] = (h + 1, m);
                total++;
            }
            else perClass[r.Target] = (h, m + 1);
        }
        double classSum = perClass.Values.Sum(v => (double)v.Hits / (v.Hits + v.Misses));
        int classes = classCount ?? perClass.Count;
        return new PointingGameScore(
            evaluated == 0 ? double.NaN : (double)total / evaluated,
            classes == 0 ? double.NaN : classSum / classes,
            perClass, evaluated, skipped);
    }
}
