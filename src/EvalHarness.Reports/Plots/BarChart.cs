namespace EvalHarness.Reports.Plots;

/// <summary>One bar: a method's mean with its 95% interval (NaN bounds draw no whisker).</summary>
public sealed record Bar(string Method, double Mean, double Low, double High);

/// <summary>A bar per method with 95% interval whiskers, bars starting at zero.</summary>
public static class BarChart
{
    public static string Svg(string title, string yLabel, IReadOnlyList<Bar> bars)
    {
        var values = bars.SelectMany(b => new[] { b.Mean, b.Low, b.High }).Where(double.IsFinite).Append(0).ToList();
        var chart = new XyChart(title, "method", yLabel, (0, 1), (values.Min(), values.Max()), [], bars.Select(b => b.Method).ToList());
        double zero = chart.Y.Map(Math.Clamp(0, chart.Y.Min, chart.Y.Max));
        double width = chart.CategoryWidth * 0.6;
        for (int i = 0; i < bars.Count; i++)
        {
            var b = bars[i];
            chart.Svg.Open("series", "method", b.Method);
            double cx = chart.CategoryX(i);
            if (double.IsFinite(b.Mean))
            {
                double top = chart.Y.Map(b.Mean);
                chart.Svg.Rect(cx - width / 2, Math.Min(top, zero), width, Math.Abs(zero - top), Palette.Color(i), null, $"class=\"bar\" fill-opacity=\"0.85\"");
            }
            else chart.Svg.Text(cx, zero - 6, "no value", "middle", 11, cls: "no-value", fill: "#777777");
            if (double.IsFinite(b.Low) && double.IsFinite(b.High))
            {
                double lo = chart.Y.Map(b.Low), hi = chart.Y.Map(b.High);
                chart.Svg.Line(cx, lo, cx, hi, "#222222", 1.4, cls: "whisker");
                chart.Svg.Line(cx - 6, lo, cx + 6, lo, "#222222", 1.4, cls: "whisker-low");
                chart.Svg.Line(cx - 6, hi, cx + 6, hi, "#222222", 1.4, cls: "whisker-high");
            }
            chart.Svg.Close();
        }
        chart.Svg.Line(chart.PlotLeft, zero, chart.PlotRight, zero, "#444444", 1);
        return chart.Finish();
    }
}
