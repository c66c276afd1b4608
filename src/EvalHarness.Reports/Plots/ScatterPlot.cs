namespace EvalHarness.Reports.Plots;

/// <summary>One method's points (reference Shapley value, method contribution).</summary>
public sealed record ScatterSeries(string Method, IReadOnlyList<(double X, double Y)> Points, string Legend);

/// <summary>The SHAP error scatter: each method's channel contributions against the reference Shapley values, with y = x dashed.</summary>
public static class ScatterPlot
{
    public static string Svg(string title, string xLabel, string yLabel, IReadOnlyList<ScatterSeries> series)
    {
        var xs = series.SelectMany(s => s.Points.Select(p => p.X)).Where(double.IsFinite).DefaultIfEmpty(0).ToList();
        var ys = series.SelectMany(s => s.Points.Select(p => p.Y)).Where(double.IsFinite).DefaultIfEmpty(0).ToList();
        double lo = Math.Min(xs.Min(), ys.Min()), hi = Math.Max(xs.Max(), ys.Max());
        var legend = series.Select((s, i) => (s.Legend, Palette.Color(i), (string?)null, Palette.Shape(i), false)).ToList();
        var chart = new XyChart(title, xLabel, yLabel, (lo, hi), (lo, hi), legend);
        double a = Math.Max(chart.X.Min, chart.Y.Min), b = Math.Min(chart.X.Max, chart.Y.Max);
        var (x0, y0) = chart.Map(a, a);
        var (x1, y1) = chart.Map(b, b);
        chart.Svg.Line(x0, y0, x1, y1, "#777777", 1.2, "5 4", "identity");
        for (int i = 0; i < series.Count; i++)
        {
            chart.Svg.Open("series", "method", series[i].Method);
            foreach (var (x, y) in series[i].Points)
            {
                if (!double.IsFinite(x) || !double.IsFinite(y)) continue;
                var (px, py) = chart.Map(x, y);
                chart.Svg.Marker(px, py, Palette.Shape(i), Palette.Color(i), 2.6);
            }
            chart.Svg.Close();
        }
        return chart.Finish();
    }
}
