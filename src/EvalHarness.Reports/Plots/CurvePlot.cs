namespace EvalHarness.Reports.Plots;

/// <summary>One method's mean curve: points (x, mean y, standard error) and the AUC shown in the legend.</summary>
public sealed record CurveSeries(string Method, IReadOnlyList<(double X, double Y, double Se)> Points, double Auc);

/// <summary>Mean insertion/deletion curves, one line per method with a ±1.96·SE band, the AUC in the legend.</summary>
public static class CurvePlot
{
    public static string Svg(string metric, IReadOnlyList<CurveSeries> series)
    {
        var ys = series.SelectMany(s => s.Points.SelectMany(p => double.IsFinite(p.Se) ? new[] { p.Y - 1.96 * p.Se, p.Y + 1.96 * p.Se } : [p.Y]))
            .Where(double.IsFinite).DefaultIfEmpty(0).ToList();
        var xs = series.SelectMany(s => s.Points.Select(p => p.X)).Where(double.IsFinite).DefaultIfEmpty(0).ToList();
        var legend = series.Select((s, i) => ($"{s.Method} (AUC {Num.Fixed(s.Auc, 3)})", Palette.Color(i), Palette.Dash(i), Palette.Shape(i), true)).ToList();
        var chart = new XyChart($"{metric}: mean curve per method", "fraction of pixels " + (metric.Contains("insert", StringComparison.OrdinalIgnoreCase) ? "inserted" : "removed"),
            "mean score of the target class", (Math.Min(0, xs.Min()), Math.Max(xs.Max(), 0)), (Math.Min(0, ys.Min()), ys.Max()), legend);
        for (int i = 0; i < series.Count; i++)
        {
            var s = series[i];
            chart.Svg.Open("series", "method", s.Method);
            var band = s.Points.Where(p => double.IsFinite(p.Se)).ToList();
            if (band.Count > 1)
                chart.Svg.Polygon(band.Select(p => chart.Map(p.X, p.Y + 1.96 * p.Se)).Concat(band.AsEnumerable().Reverse().Select(p => chart.Map(p.X, p.Y - 1.96 * p.Se))),
                    Palette.Color(i), 0.12);
            chart.Svg.Polyline(s.Points.Where(p => double.IsFinite(p.Y)).Select(p => chart.Map(p.X, p.Y)), Palette.Color(i), 2.2, Palette.Dash(i));
            chart.Svg.Close();
        }
        return chart.Finish();
    }

    /// <summary>Trapezoidal area under a curve given by its points in x order.</summary>
    public static double Trapezoid(IReadOnlyList<(double X, double Y, double Se)> points)
    {
        double area = 0;
        for (int i = 1; i < points.Count; i++) area += (points[i].X - points[i - 1].X) * (points[i].Y + points[i - 1].Y) / 2;
        return area;
    }
}
