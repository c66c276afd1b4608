using EvalHarness.Engine;
using EvalHarness.Reports.Results;
using EvalHarness.Reports.Statistics;

namespace EvalHarness.Reports.Compare;

/// <summary>
/// Compares a candidate run with a baseline, value by value (method × metric × value name): the delta over the
/// images both runs have a value for, the paired t-test and Wilcoxon signed-rank p, Cohen's d_z, and a verdict
/// against the tolerance in the value's direction. Values only one run has are listed; the comparison goes on.
/// </summary>
public static class RunComparer
{
    public static RunComparison Compare(RunResults baseline, RunResults candidate, Tolerances tolerances, string baselineName = "baseline", string candidateName = "candidate")
    {
        if (baseline.Summary.Count == 0)
            throw new EvalHarnessException($"The {baselineName} holds no results (summary.csv has no rows); nothing to compare.");
        if (candidate.Summary.Count == 0)
            throw new EvalHarnessException($"The {candidateName} holds no results (summary.csv has no rows); nothing to compare.");
        var a = baseline.Summary.GroupBy(Key).ToDictionary(g => g.Key, g => g.First());
        var b = candidate.Summary.GroupBy(Key).ToDictionary(g => g.Key, g => g.First());
        var known = a.Keys.Concat(b.Keys).SelectMany(k => new[] { k.Metric, k.Metric + "." + k.Value }).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        tolerances.CheckKeys(known);
        var shared = a.Keys.Where(b.ContainsKey).ToList();
        if (shared.Count == 0)
            throw new EvalHarnessException($"The runs share no method × metric value: the {baselineName} has {Describe(a.Keys)}; the {candidateName} has {Describe(b.Keys)}.");

        var perA = PerImage(baseline);
        var perB = PerImage(candidate);
        var idsA = baseline.PerImage.Select(p => p.ImageId).ToHashSet(StringComparer.Ordinal);
        var idsB = candidate.PerImage.Select(p => p.ImageId).ToHashSet(StringComparer.Ordinal);
        var rows = new List<ComparisonRow>();
        foreach (var key in shared)
        {
            var ra = a[key];
            var rb = b[key];
            string direction = ra.Direction == rb.Direction ? ra.Direction : "none";
            var va = perA.GetValueOrDefault(key) ?? [];
            var vb = perB.GetValueOrDefault(key) ?? [];
            var differences = new List<double>();
            int ndA = 0, ndB = 0;
            foreach (var (id, x) in va.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (!vb.TryGetValue(id, out double y)) continue;
                if (double.IsNaN(x)) ndA++;
                if (double.IsNaN(y)) ndB++;
                if (!double.IsNaN(x) && !double.IsNaN(y)) differences.Add(y - x);
            }
            var test = PairedTests.Run(differences);
            double delta = test.N > 0 ? test.MeanDifference : rb.Mean - ra.Mean;
            if (test.N == 0) (ndA, ndB) = (ra.NotDefined, rb.NotDefined);
            double worsening = direction switch { "higher" => -delta, "lower" => delta, _ => double.NaN };
            double tolerance = tolerances.For(key.Metric, key.Value, ra.Mean);
            var verdict = Judge(direction, ra.Mean, rb.Mean, worsening, tolerance, ndA, ndB);
            rows.Add(new ComparisonRow(key.Method, key.Metric, key.Value, direction, ra.Headline || rb.Headline, ra.Mean, rb.Mean, test.N, delta, worsening,
                test.TTestP, test.WilcoxonP, test.CohenDz, ndA, ndB, tolerance, tolerances.Describe(key.Metric, key.Value), verdict));
        }
        var methodOrder = baseline.Info.Methods.Select(m => m.Id).Concat(candidate.Info.Methods.Select(m => m.Id)).Distinct().ToList();
        var metricOrder = baseline.Info.Metrics.Select(m => m.Id).Concat(candidate.Info.Metrics.Select(m => m.Id)).Distinct().ToList();
        rows = rows.OrderByDescending(r => r.Headline)
            .ThenBy(r => Index(metricOrder, r.Metric)).ThenBy(r => r.Metric, StringComparer.Ordinal).ThenBy(r => r.ValueName, StringComparer.Ordinal)
            .ThenBy(r => Index(methodOrder, r.Method)).ThenBy(r => r.Method, StringComparer.Ordinal).ToList();
        return new RunComparison
        {
            BaselineName = baseline.Info.Name,
            CandidateName = candidate.Info.Name,
            Rows = rows,
            OnlyInBaseline = a.Keys.Where(k => !b.ContainsKey(k)).Select(Text).ToList(),
            OnlyInCandidate = b.Keys.Where(k => !a.ContainsKey(k)).Select(Text).ToList(),
            Differences = RunDifferences.Of(baseline.Info, candidate.Info),
            BaselineImages = idsA.Count,
            CandidateImages = idsB.Count,
            SharedImages = idsA.Count(idsB.Contains),
        };
    }

    /// <summary>
    /// Regressed: worse by more than the tolerance, or more images without a value than before, or a value that
    /// was defined and no longer is. Values without a direction are not judged.
    /// </summary>
    private static Verdict Judge(string direction, double baseMean, double candMean, double worsening, double tolerance, int ndA, int ndB)
    {
        if (direction is not ("higher" or "lower")) return Verdict.NotJudged;
        if (ndB > ndA) return Verdict.Regressed;
        if (double.IsNaN(worsening)) return double.IsFinite(baseMean) && !double.IsFinite(candMean) ? Verdict.Regressed : Verdict.Unchanged;
        if (worsening > tolerance) return Verdict.Regressed;
        if (worsening > 0) return Verdict.WithinTolerance;
        return worsening < 0 ? Verdict.Improved : Verdict.Unchanged;
    }

    private static (string Method, string Metric, string Value) Key(SummaryRow r) => (r.Method, r.Metric, r.ValueName);

    private static Dictionary<(string Method, string Metric, string Value), Dictionary<string, double>> PerImage(RunResults results)
    {
        var map = new Dictionary<(string, string, string), Dictionary<string, double>>();
        foreach (var p in results.PerImage)
        {
            var key = (p.Method, p.Metric, p.ValueName);
            if (!map.TryGetValue(key, out var values)) map[key] = values = new Dictionary<string, double>(StringComparer.Ordinal);
            values[p.ImageId] = p.Value;
        }
        return map;
    }

    private static int Index(List<string> order, string item) => order.IndexOf(item) is var i && i >= 0 ? i : int.MaxValue;

    private static string Text((string Method, string Metric, string Value) k) => $"{k.Method} / {k.Metric} {k.Value}";

    private static string Describe(IEnumerable<(string Method, string Metric, string Value)> keys)
    {
        var list = keys.Select(Text).ToList();
        return list.Count <= 6 ? string.Join(", ", list) : string.Join(", ", list.Take(6)) + $" and {list.Count - 6} more";
    }
}
