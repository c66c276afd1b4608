namespace EvalHarness.Reports.Plots;

/// <summary>
/// The frame of an x–y chart: title, plot area with grid, axes with nice ticks and labels, and a legend to the
/// right. Ticks are text elements of class "tick" inside groups "x-axis" and "y-axis", so the data can be read
/// back from the picture.
/// </summary>
internal sealed class XyChart
{
    private const double Left = 70, Top = 44, PlotWidth = 480, PlotHeight = 300, LegendRow = 18;

    private readonly double _bottom;

    private readonly bool _rotate;

    private readonly List<(string Label, string Color, string? Dash, int Shape, bool Line)> _legend;

    public XyChart(string title, string xLabel, string yLabel, (double Min, double Max) x, (double Min, double Max) y,
        IReadOnlyList<(string Label, string Color, string? Dash, int Shape, bool Line)> legend, IReadOnlyList<string>? xCategories = null)
    {
        _legend = legend.ToList();
        double legendWidth = _legend.Count == 0 ? 20 : 40 + _legend.Max(l => Svg.TextWidth(l.Label, 11));
        double longest = xCategories is null || xCategories.Count == 0 ? 0 : xCategories.Max(c => Svg.TextWidth(c, 11));
        _rotate = xCategories is not null && longest > PlotWidth / Math.Max(1, xCategories.Count) - 6;
        _bottom = _rotate ? 40 + longest * 0.7 : 56;
        // Tall enough for every legend entry (18 px each), however many methods there are.
        double legendBottom = Top + 8 + _legend.Count * LegendRow + 8;
        Svg = new Svg(Left + PlotWidth + legendWidth + 10, Math.Max(Top + PlotHeight + _bottom, legendBottom), title);
        X = new NiceScale(x.Min, x.Max, Left, Left + PlotWidth);
        _categories = xCategories?.Count ?? 0;
        Y = new NiceScale(y.Min, y.Max, Top + PlotHeight, Top);
        Svg.Text(Left + PlotWidth / 2, 24, title, "middle", 15, "bold", cls: "title");
        Svg.Open("y-axis");
        foreach (var t in Y.Ticks())
        {
            double py = Y.Map(t);
            Svg.Line(Left, py, Left + PlotWidth, py, "#e3e3e3", 1);
            Svg.Line(Left - 4, py, Left, py, "#444444", 1);
            Svg.Text(Left - 7, py + 4, Y.Label(t), "end", 11, cls: "tick");
        }
        Svg.Text(18, Top + PlotHeight / 2, yLabel, "middle", 12, rotate: -90, cls: "label");
        Svg.Close();
        Svg.Open("x-axis");
        if (xCategories is null)
        {
            foreach (var t in X.Ticks())
            {
                double px = X.Map(t);
                Svg.Line(px, Top, px, Top + PlotHeight, "#efefef", 1);
                Svg.Line(px, Top + PlotHeight, px, Top + PlotHeight + 4, "#444444", 1);
                Svg.Text(px, Top + PlotHeight + 17, X.Label(t), "middle", 11, cls: "tick");
            }
        }
        else
        {
            int every = Math.Max(1, (int)Math.Ceiling(xCategories.Count / 8.0));
            for (int i = 0; i < xCategories.Count; i += every)
            {
                double px = CategoryX(i);
                Svg.Line(px, Top + PlotHeight, px, Top + PlotHeight + 4, "#444444", 1);
                if (_rotate) Svg.Text(px + 4, Top + PlotHeight + 14, xCategories[i], "end", 11, rotate: -35, cls: "category");
                else Svg.Text(px, Top + PlotHeight + 17, xCategories[i], "middle", 11, cls: "category");
            }
        }
        Svg.Text(Left + PlotWidth / 2, Top + PlotHeight + _bottom - 12, xLabel, "middle", 12, cls: "label");
        Svg.Close();
        Svg.Rect(Left, Top, PlotWidth, PlotHeight, "none", "#444444");
    }

    private readonly int _categories;

    public Svg Svg { get; }

    /// <summary>Centre of category <paramref name="i"/> when the x axis holds categories (equal bands).</summary>
    public double CategoryX(int i) => Left + (i + 0.5) * PlotWidth / Math.Max(1, _categories);

    public double CategoryWidth => PlotWidth / Math.Max(1, _categories);

    public NiceScale X { get; }

    public NiceScale Y { get; }

    public double PlotLeft => Left;

    public double PlotRight => Left + PlotWidth;

    public double PlotTop => Top;

    public double PlotBottom => Top + PlotHeight;

    public (double X, double Y) Map(double x, double y) => (X.Map(x), Y.Map(y));

    /// <summary>Draws the legend and returns the finished document.</summary>
    public string Finish()
    {
        if (_legend.Count > 0)
        {
            Svg.Open("legend");
            double lx = Left + PlotWidth + 14, ly = Top + 8;
            for (int i = 0; i < _legend.Count; i++)
            {
                var (label, color, dash, shape, line) = _legend[i];
                double y = ly + i * LegendRow;
                if (line) Svg.Line(lx, y, lx + 22, y, color, 2.2, dash);
                else Svg.Marker(lx + 11, y, shape, color, 4, cls: "legend-marker");
                Svg.Text(lx + 28, y + 4, label, "start", 11, cls: "legend-label");
            }
            Svg.Close();
        }
        return Svg.ToString();
    }
}
