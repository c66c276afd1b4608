using EvalHarness.Reports.Plots;
using EvalHarness.Reports.Results;
using EvalHarness.Reports.Tables;

namespace EvalHarness.Reports.Tests;

public sealed class SvgPlotTests
{
    private static readonly RunResults Run = SyntheticRun.Create();
    private static readonly SummaryTable Table = SummaryTableBuilder.Build(Run);
    private static readonly List<PlotFile> Plots = ReportPlots.Build(Run, Table);

    private static SvgReader Plot(string file) => new(Plots.Single(p => p.FileName == file).Svg);

    [Fact]
    public void Every_plot_is_well_formed_svg_with_a_title_and_no_culture_commas()
    {
        Assert.Equal(9, Plots.Count); // 2 curves, 5 bars, ranks, scatter
        foreach (var p in Plots)
        {
            var svg = new SvgReader(p.Svg);
            Assert.NotEmpty(svg.All("title").First().Value);
            foreach (var e in svg.Doc.Descendants())
                foreach (var a in e.Attributes().Where(a => a.Name.LocalName is "x" or "y" or "x1" or "y1" or "width" or "height" or "cx" or "cy"))
                    Assert.True(double.TryParse(a.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _), $"{p.FileName}: {a}");
        }
    }

    [Theory]
    [InlineData("deletion")]
    [InlineData("insertion")]
    public void Curve_lines_read_back_as_the_mean_curves_and_the_legend_holds_the_auc(string metric)
    {
        var svg = Plot($"curve_{metric}.svg");
        var toX = svg.Axis("x-axis");
        var toY = svg.Axis("y-axis");
        foreach (var method in SyntheticRun.Methods)
        {
            var expected = Run.Curves.Where(c => c.Metric == metric && c.Method == method).OrderBy(c => c.Step).ToList();
            var points = SvgReader.Points(svg.Series(method).Elements(SvgReader.Ns + "polyline").Single());
            Assert.Equal(expected.Count, points.Count);
            for (int i = 0; i < points.Count; i++)
            {
                Assert.Equal(expected[i].X, toX(points[i].X), tolerance: 1e-3);
                Assert.Equal(expected[i].MeanY, toY(points[i].Y), tolerance: 1e-3);
            }
            double auc = Run.Summary.Single(s => s.Method == method && s.Metric == metric && s.ValueName == "auc").Mean;
            Assert.Contains(svg.Class("legend-label"), t => t.Value == $"{method} (AUC {auc.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)})");
        }
    }

    [Fact]
    public void Every_legend_entry_lies_inside_the_picture_however_many_methods_there_are()
    {
        var series = Enumerable.Range(0, 25)
            .Select(i => new CurveSeries($"method-{i}", [(0.0, 1.0, 0.0), (1.0, 0.0, 0.0)], 0.5)).ToList();
        var svg = new SvgReader(CurvePlot.Svg("deletion", series));
        double height = SvgReader.D(svg.Doc.Root!, "height");
        var labels = svg.Class("legend-label").ToList();
        Assert.Equal(25, labels.Count);
        Assert.All(labels, l => Assert.True(SvgReader.D(l, "y") + 4 <= height, $"{l.Value} at y {l.Attribute("y")} is below the picture ({height})"));
    }

    [Fact]
    public void Bars_and_whiskers_read_back_as_means_and_95_percent_intervals()
    {
        var svg = Plot("bar_average-drop_drop.svg");
        var toY = svg.Axis("y-axis");
        foreach (var method in SyntheticRun.Methods)
        {
            var row = Run.Summary.Single(s => s.Method == method && s.Metric == "average-drop" && s.ValueName == "drop");
            var g = svg.Series(method);
            var bar = g.Elements(SvgReader.Ns + "rect").Single(r => (string?)r.Attribute("class") == "bar");
            Assert.Equal(row.Mean, toY(SvgReader.D(bar, "y")), tolerance: 1e-2);
            Assert.Equal(0, toY(SvgReader.D(bar, "y") + SvgReader.D(bar, "height")), tolerance: 1e-2);
            var high = g.Elements(SvgReader.Ns + "line").Single(l => (string?)l.Attribute("class") == "whisker-high");
            var low = g.Elements(SvgReader.Ns + "line").Single(l => (string?)l.Attribute("class") == "whisker-low");
            Assert.Equal(row.Ci95High, toY(SvgReader.D(high, "y1")), tolerance: 1e-2);
            Assert.Equal(row.Ci95Low, toY(SvgReader.D(low, "y1")), tolerance: 1e-2);
        }
        // A method without a value draws no bar and says so.
        var shap = Plot("bar_shap-error_error.svg");
        Assert.Empty(shap.Series("gradient").Elements(SvgReader.Ns + "rect"));
        Assert.Contains(shap.Series("gradient").Elements(SvgReader.Ns + "text"), t => t.Value == "no value");
    }

    [Fact]
    public void The_rank_heatmap_ranks_by_direction_with_average_ranks_for_ties()
    {
        var svg = Plot("ranks.svg");
        foreach (var method in SyntheticRun.Methods)
        {
            var ranks = svg.Class("row").Single(r => (string?)r.Attribute("data-method") == method).Elements(SvgReader.Ns + "rect")
                .Select(r => (string)r.Attribute("data-rank")!).ToList();
            Assert.Equal(6, ranks.Count); // five headline values with a direction + mean rank
        }
        // Independent ranking of deletion AUC (lower is better) from the summary.
        var deletion = SyntheticRun.Methods.Select(m => Run.Summary.Single(s => s.Method == m && s.Metric == "deletion" && s.Headline).Mean).ToList();
        for (int m = 0; m < deletion.Count; m++)
        {
            double expected = 1 + deletion.Count(v => v < deletion[m]);
            string got = (string)svg.Class("row").Single(r => (string?)r.Attribute("data-method") == SyntheticRun.Methods[m]).Elements(SvgReader.Ns + "rect").First().Attribute("data-rank")!;
            Assert.Equal(expected, double.Parse(got, System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.Equal([1.5, 1.5, 3], SummaryTableBuilder.Ranks([0.7, 0.7, 0.2], "higher"));
        Assert.Equal([3, 1.5, 1.5], SummaryTableBuilder.Ranks([0.7, 0.2, 0.2], "lower"));
        Assert.True(double.IsNaN(SummaryTableBuilder.Ranks([double.NaN, 0.2], "lower")[0]));
    }

    [Fact]
    public void The_shap_scatter_has_every_point_of_each_method_on_the_reference_and_contribution_axes()
    {
        var svg = Plot("shap_scatter.svg");
        var toX = svg.Axis("x-axis");
        var toY = svg.Axis("y-axis");
        foreach (var method in new[] { "gradcam", "scorecam", "rise" })
        {
            var rows = Run.Shap.Where(s => s.Method == method).ToList();
            var marks = svg.Series(method).Elements().ToList();
            Assert.Equal(rows.Count, marks.Count);
            var first = marks[0];
            var (cx, cy) = first.Name.LocalName == "circle" ? (SvgReader.D(first, "cx"), SvgReader.D(first, "cy"))
                : first.Name.LocalName == "rect" ? (SvgReader.D(first, "x") + SvgReader.D(first, "width") / 2, SvgReader.D(first, "y") + SvgReader.D(first, "height") / 2)
                : (double.NaN, double.NaN);
            if (double.IsFinite(cx))
            {
                Assert.Equal(rows[0].Reference, toX(cx), tolerance: 1e-2);
                Assert.Equal(rows[0].Contribution, toY(cy), tolerance: 1e-2);
            }
        }
        Assert.DoesNotContain(svg.Class("series"), g => (string?)g.Attribute("data-method") == "gradient");
        Assert.Single(svg.Class("identity"));
    }

    [Theory]
    [InlineData(0, 1, 0, 1, 0.2)]
    [InlineData(0.083, 0.238, 0.05, 0.25, 0.05)]
    [InlineData(-0.21, 0.69, -0.4, 0.8, 0.2)]
    [InlineData(31.2, 61.9, 30, 65, 5)]
    [InlineData(5, 5, 4.4, 5.6, 0.2)]
    public void Nice_scales_cover_the_data_with_1_2_5_steps(double min, double max, double lo, double hi, double step)
    {
        var s = new NiceScale(min, max, 0, 100);
        Assert.Equal(lo, s.Min, tolerance: 1e-9);
        Assert.Equal(hi, s.Max, tolerance: 1e-9);
        Assert.Equal(step, s.Step, tolerance: 1e-9);
        Assert.Equal(0, s.Map(s.Min), tolerance: 1e-9);
        Assert.Equal(100, s.Map(s.Max), tolerance: 1e-9);
    }

    [Fact]
    public void Palette_is_okabe_ito_and_series_past_eight_change_dash()
    {
        Assert.Equal("#0072B2", Palette.Color(0));
        Assert.Equal("#D55E00", Palette.Color(1));
        Assert.Null(Palette.Dash(7));
        Assert.NotNull(Palette.Dash(8));
        Assert.Equal(Palette.Color(0), Palette.Color(8));
    }
}
