using EvalHarness.Reports.Results;

namespace EvalHarness.Reports.Tables;

/// <summary>Builds the <see cref="SummaryTable"/> of a run from summary.csv (headline values) and per_image.csv (reasons).</summary>
public static class SummaryTableBuilder
{
    public static SummaryTable Build(RunResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var methods = MethodOrder(results);
        var columns = HeadlineColumns(results);
        var byKey = results.Summary.Where(r => r.Headline)
            .GroupBy(r => (r.Method, r.Metric, r.ValueName)).ToDictionary(g => g.Key, g => g.First());
        var cells = new SummaryCell?[methods.Count, columns.Count];
        var notes = new List<string>();
        for (int c = 0; c < columns.Count; c++)
        {
            var col = columns[c];
            var found = new SummaryRow?[methods.Count];
            for (int m = 0; m < methods.Count; m++)
                found[m] = byKey.GetValueOrDefault((methods[m], col.Metric, col.ValueName));
            var means = found.Select(r => r?.Mean ?? double.NaN).ToArray();
            var ranks = Ranks(means, col.Direction);
            double best = BestShown(means, col);
            for (int m = 0; m < methods.Count; m++)
            {
                if (found[m] is not { } row) continue;
                double half = row.N >= 2 ? (row.Ci95High - row.Ci95Low) / 2 : double.NaN;
                string text = double.IsFinite(half) ? $"{Num.Fixed(row.Mean, col.Decimals)} ± {Num.Fixed(half, col.Decimals)}" : Num.Fixed(row.Mean, col.Decimals);
                int? note = null;
                if (row.NotDefined > 0)
                {
                    notes.Add(NotDefinedNote(results, row));
                    note = notes.Count;
                }
                bool isBest = double.IsFinite(best) && Math.Round(row.Mean, col.Decimals) == best;
                cells[m, c] = new SummaryCell(row.Mean, half, row.N, row.NotDefined, isBest, ranks[m], text, note);
            }
        }
        var rows = new List<SummaryTableRow>();
        for (int m = 0; m < methods.Count; m++)
        {
            var rowCells = Enumerable.Range(0, columns.Count).Select(c => cells[m, c]).ToList();
            int images = rowCells.Where(x => x is not null).Select(x => x!.N + x.NotDefined).DefaultIfEmpty(0).Max();
            rows.Add(new SummaryTableRow(methods[m], images, rowCells));
        }
        return new SummaryTable(columns, rows, notes);
    }

    /// <summary>The run's methods in config order, then any others that appear in summary.csv.</summary>
    public static List<string> MethodOrder(RunResults results)
    {
        var order = results.Info.Methods.Select(m => m.Id).ToList();
        foreach (var r in results.Summary)
            if (!order.Contains(r.Method)) order.Add(r.Method);
        return order.Where(m => results.Summary.Any(r => r.Method == m)).ToList();
    }

    /// <summary>Headline (metric, value) pairs in the config's metric order, with decimals fitted to the column's means.</summary>
    public static List<SummaryColumn> HeadlineColumns(RunResults results)
    {
        var metricOrder = results.Info.Metrics.Select(m => m.Id).ToList();
        return results.Summary.Where(r => r.Headline)
            .GroupBy(r => (r.Metric, r.ValueName))
            .OrderBy(g => metricOrder.IndexOf(g.Key.Metric) is int i && i >= 0 ? i : int.MaxValue)
            .Select(g => new SummaryColumn(g.Key.Metric, g.Key.ValueName, g.First().Direction, Num.DecimalsFor(g.Select(r => r.Mean))))
            .ToList();
    }

    /// <summary>Rank 1 = best by <paramref name="direction"/>, average ranks for ties; NaN for an undefined mean or no direction.</summary>
    public static double[] Ranks(IReadOnlyList<double> means, string direction)
    {
        var ranks = Enumerable.Repeat(double.NaN, means.Count).ToArray();
        if (direction is not ("higher" or "lower")) return ranks;
        var order = Enumerable.Range(0, means.Count).Where(i => double.IsFinite(means[i]))
            .OrderBy(i => direction == "higher" ? -means[i] : means[i]).ToList();
        for (int start = 0; start < order.Count;)
        {
            int end = start;
            while (end + 1 < order.Count && means[order[end + 1]] == means[order[start]]) end++;
            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = rank;
            start = end + 1;
        }
        return ranks;
    }

    private static double BestShown(double[] means, SummaryColumn col)
    {
        var shown = means.Where(double.IsFinite).Select(m => Math.Round(m, col.Decimals)).ToList();
        if (shown.Count < 2) return double.NaN;
        return col.Direction switch { "higher" => shown.Max(), "lower" => shown.Min(), _ => double.NaN };
    }

    private static string NotDefinedNote(RunResults results, SummaryRow row)
    {
        var reasons = results.PerImage
            .Where(p => p.Method == row.Method && p.Metric == row.Metric && p.ValueName == row.ValueName && double.IsNaN(p.Value))
            .GroupBy(p => string.IsNullOrWhiteSpace(p.NotDefinedReason) ? "no reason given" : p.NotDefinedReason!)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} ({g.Count()})").ToList();
        string why = reasons.Count > 0 ? ": " + string.Join("; ", reasons) : "";
        return $"{row.Method}, {row.Metric} {row.ValueName}: {row.NotDefined} of {row.N + row.NotDefined} images have no value{why}.";
    }
}
