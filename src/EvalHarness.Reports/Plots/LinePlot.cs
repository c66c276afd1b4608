namespace EvalHarness.Reports.Plots;

/// <summary>A line per method over categories on x (runs of the history); NaN leaves a gap.</summary>
public static class LinePlot
{
    public static string Svg(string title, string xLabel, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<(string Method, double[] Values)> series)
    {
        var ys = series.SelectMany(s => s.Values).Where(double.IsFinite).DefaultIfEmpty(0).ToList();
        var legend = series.Select((s, i) => (s.Method, Palette.Color(i), Palette.Dash(i), Palette.Shape(i), true)).ToList();
        var chart = new XyChart(title, xLabel, yLabel, (0, 1), (ys.Min(), ys.Max()), legend, categories);
        for (int i = 0; i < series.Count; i++)
        {
            var (method, values) = series[i];
            chart.Svg.Open("series", "method", method);
            var run = new List<(double, double)>();
            for (int k = 0; k <= values.Length; k++)
            {
                if (k < values.Length && double.IsFinite(values[k]))
                {
                    run.Add((chart.CategoryX(k), chart.Y.Map(values[k])));
                    continue;
                }
                if (run.Count > 1) chart.Svg.Polyline(run, Palette.Color(i), 2, Palette.Dash(i));
                run.Clear();
            }
            for (int k = 0; k < values.Length; k++)
                if (double.IsFinite(values[k])) chart.Svg.Marker(chart.CategoryX(k), chart.Y.Map(values[k]), Palette.Shape(i), Palette.Color(i), 3.2);
            chart.Svg.Close();
        }
        return chart.Finish();
    }
}
