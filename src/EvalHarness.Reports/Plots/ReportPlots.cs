using EvalHarness.Reports.History;
using EvalHarness.Reports.Results;
using EvalHarness.Reports.Tables;

namespace EvalHarness.Reports.Plots;

/// <summary>A plot as written: file name under plots/, a caption, the SVG text.</summary>
public sealed record PlotFile(string FileName, string Caption, string Svg);

/// <summary>All plots of a run: curves per curve metric, bars per headline value, the rank heatmap, the SHAP scatter, the history.</summary>
public static class ReportPlots
{
    /// <summary>Most points drawn per method in the SHAP scatter (every k-th row beyond that, in file order).</summary>
    public const int MaxScatterPoints = 2000;

    public static List<PlotFile> Build(RunResults results, SummaryTable table, IReadOnlyList<HistoryPoint>? history = null)
    {
        var plots = new List<PlotFile>();
        var methods = SummaryTableBuilder.MethodOrder(results);
        foreach (var metric in results.Curves.Select(c => c.Metric).Distinct())
        {
            var series = new List<CurveSeries>();
            foreach (var method in OrderBy(methods, results.Curves.Where(c => c.Metric == metric).Select(c => c.Method)))
            {
                var points = results.Curves.Where(c => c.Metric == metric && c.Method == method).OrderBy(c => c.Step)
                    .Select(c => (c.X, c.MeanY, c.StandardError)).ToList();
                var auc = results.Summary.FirstOrDefault(s => s.Method == method && s.Metric == metric && s.ValueName == "auc");
                series.Add(new CurveSeries(method, points, auc?.Mean ?? CurvePlot.Trapezoid(points)));
            }
            plots.Add(new PlotFile($"curve_{Slug(metric)}.svg", $"{metric}: mean curve per method (band: ±1.96 standard errors); AUC in the legend.", CurvePlot.Svg(metric, series)));
        }
        foreach (var col in table.Columns)
        {
            var bars = table.Rows.Where(r => r.Cells[table.Columns.ToList().IndexOf(col)] is not null).Select(r =>
            {
                var row = results.Summary.First(s => s.Method == r.Method && s.Metric == col.Metric && s.ValueName == col.ValueName);
                return new Bar(r.Method, row.Mean, row.Ci95Low, row.Ci95High);
            }).ToList();
            string better = col.Direction switch { "higher" => " (higher is better)", "lower" => " (lower is better)", _ => "" };
            string name = col.ValueName == col.Metric ? col.Metric : $"{col.Metric} {col.ValueName}";
            plots.Add(new PlotFile($"bar_{Slug(col.Metric)}_{Slug(col.ValueName)}.svg", $"{name}: mean per method with its 95% interval{better}.",
                BarChart.Svg(name + better, $"mean {name}", bars)));
        }
        if (!table.IsEmpty && table.Columns.Any(c => c.Arrow.Length > 0))
            plots.Add(new PlotFile("ranks.svg", "Rank of each method per headline metric (1 = best) and the mean rank.", RankHeatmap.Svg(table)));
        if (results.Shap.Count > 0)
            plots.Add(new PlotFile("shap_scatter.svg", "Channel contributions of each method against the reference Shapley values of the target layer's maps (dashed: y = x).", Scatter(results, methods)));
        if (history is { Count: > 0 })
            plots.AddRange(History(results, table, history));
        return plots;
    }

    private static string Scatter(RunResults results, List<string> methods)
    {
        var series = new List<ScatterSeries>();
        foreach (var method in OrderBy(methods, results.Shap.Select(s => s.Method)))
        {
            var rows = results.Shap.Where(s => s.Method == method).ToList();
            int every = Math.Max(1, (rows.Count + MaxScatterPoints - 1) / MaxScatterPoints);
            var points = rows.Where((_, i) => i % every == 0).Select(r => (r.Reference, r.Contribution)).ToList();
            double r = Pearson(rows.Select(x => x.Reference).ToList(), rows.Select(x => x.Contribution).ToList());
            series.Add(new ScatterSeries(method, points, $"{method} (r = {Num.Fixed(r, 3)}, {rows.Count} pts)"));
        }
        return ScatterPlot.Svg("SHAP error: contributions vs reference Shapley values", "reference Shapley value φ*", "method contribution φ̂", series);
    }

    private static IEnumerable<PlotFile> History(RunResults results, SummaryTable table, IReadOnlyList<HistoryPoint> history)
    {
        var runs = history.Select(h => (h.RunKey, h.StartedUtc)).Distinct().OrderBy(r => r.StartedUtc).ThenBy(r => r.RunKey, StringComparer.Ordinal).ToList();
        var labels = runs.Select(r => r.StartedUtc.UtcDateTime.ToString("MM-dd HH:mm", Num.Inv)).ToList();
        foreach (var col in table.Columns)
        {
            var points = history.Where(h => h.Metric == col.Metric && h.ValueName == col.ValueName).ToList();
            if (points.Count == 0) continue;
            var series = OrderBy(SummaryTableBuilder.MethodOrder(results), points.Select(p => p.Method))
                .Select(m => (m, runs.Select(r => points.FirstOrDefault(p => p.Method == m && p.RunKey == r.RunKey)?.Mean ?? double.NaN).ToArray()))
                .ToList();
            string name = col.ValueName == col.Metric ? col.Metric : $"{col.Metric} {col.ValueName}";
            yield return new PlotFile($"history_{Slug(col.Metric)}_{Slug(col.ValueName)}.svg", $"{name} over the last {runs.Count} runs of '{results.Info.Name}' (history.sqlite).",
                LinePlot.Svg($"{name} {col.Arrow} over runs".Replace("  ", " "), "run (start, UTC)", $"mean {name}", labels, series));
        }
    }

    /// <summary>The methods of <paramref name="present"/>, in the run's order first.</summary>
    private static List<string> OrderBy(List<string> order, IEnumerable<string> present)
    {
        var set = present.Distinct().ToList();
        return order.Where(set.Contains).Concat(set.Where(m => !order.Contains(m))).ToList();
    }

    private static double Pearson(List<double> x, List<double> y)
    {
        if (x.Count < 2) return double.NaN;
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : double.NaN;
    }

    /// <summary>A file-name-safe form: letters, digits, '-' and '_' kept (lower case), anything else '_'.</summary>
    public static string Slug(string text)
    {
        var chars = text.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray();
        return chars.Length == 0 ? "_" : new string(chars);
    }
}
