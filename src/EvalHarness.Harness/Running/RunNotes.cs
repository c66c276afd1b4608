using EvalHarness.Reports.Results;

namespace EvalHarness.Harness.Running;

/// <summary>Notes for run.json that the tables imply but a reader could miss.</summary>
internal static class RunNotes
{
    /// <summary>One note per method × metric whose headline value is not defined for any image, with its most frequent reason.</summary>
    public static List<string> NeverDefined(IReadOnlyList<SummaryRow> summary, IReadOnlyList<PerImageRow> perImage)
    {
        var wanted = summary.Where(s => s.Headline && s.N == 0 && s.NotDefined > 0).Select(s => (s.Method, s.Metric, s.ValueName)).ToList();
        if (wanted.Count == 0) return [];
        var keys = wanted.ToHashSet();
        var reasons = new Dictionary<(string, string, string), Dictionary<string, int>>();
        foreach (var p in perImage)
        {
            if (p.NotDefinedReason is not { } reason || !keys.Contains((p.Method, p.Metric, p.ValueName))) continue;
            if (!reasons.TryGetValue((p.Method, p.Metric, p.ValueName), out var counts)) reasons[(p.Method, p.Metric, p.ValueName)] = counts = new(StringComparer.Ordinal);
            counts[reason] = counts.GetValueOrDefault(reason) + 1;
        }
        return wanted.Select(k =>
        {
            var common = reasons.TryGetValue(k, out var counts)
                ? counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).First().Key : "no reason recorded";
            return $"{k.Metric} ({k.ValueName}) of '{k.Method}' is not defined for any image; most often: {common}.";
        }).ToList();
    }
}
