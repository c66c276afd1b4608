using System.Globalization;
using EvalHarness.Reports.History;
using EvalHarness.Reports.Results;
using EvalHarness.Reports.Tables;

namespace EvalHarness.Reports.Tests;

public sealed class SummaryTableTests : IDisposable
{
    private readonly TestFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Best_per_column_follows_the_direction_and_cells_show_mean_and_interval_half_width()
    {
        var run = SyntheticRun.Create();
        var table = SummaryTableBuilder.Build(run);
        Assert.Equal(["deletion auc ↓", "insertion auc ↑", "pointing-game hit ↑", "average-drop drop ↓", "shap-error error ↓"], table.Columns.Select(c => c.Header));
        Assert.Equal(SyntheticRun.Methods, table.Rows.Select(r => r.Method));
        for (int c = 0; c < table.Columns.Count; c++)
        {
            var col = table.Columns[c];
            var means = table.Rows.Select(r => r.Cells[c]?.Mean ?? double.NaN).Where(double.IsFinite).ToList();
            double best = Math.Round(col.Direction == "higher" ? means.Max() : means.Min(), col.Decimals);
            foreach (var row in table.Rows)
                if (row.Cells[c] is { } cell && double.IsFinite(cell.Mean))
                    Assert.Equal(Math.Round(cell.Mean, col.Decimals) == best, cell.Best);
        }
        var s = run.Summary.Single(x => x.Method == "gradcam" && x.Metric == "deletion" && x.ValueName == "auc");
        var gradcam = table.Rows[0].Cells[0]!;
        Assert.Equal($"{s.Mean.ToString("F3", CultureInfo.InvariantCulture)} ± {((s.Ci95High - s.Ci95Low) / 2).ToString("F3", CultureInfo.InvariantCulture)}", gradcam.Text);
        Assert.Equal(1, table.Columns.Single(c => c.Metric == "average-drop").Decimals); // means around 30-60: three significant digits
        // Not-defined values are footnoted with their reasons.
        Assert.Equal(5, table.Notes.Count);
        Assert.Contains("gradient, shap-error error: 12 of 12 images have no value: the method gives no channel contributions (12).", table.Notes);
    }

    [Fact]
    public void Summary_md_has_the_facts_the_table_in_bold_and_the_notes()
    {
        SyntheticRun.Write(_dir.Path);
        ReportWriter.WriteAll(_dir.Path);
        string md = File.ReadAllText(_dir["summary.md"]);
        Assert.Contains("- **model**: vgg16 (vgg16, 1000 classes)", md);
        Assert.Contains("- **seed**: 7", md);
        Assert.Contains("commit e638c31a0b1c", md);
        Assert.Contains("| method | n | deletion auc ↓ | insertion auc ↑ | pointing-game hit ↑ | average-drop drop ↓ | shap-error error ↓ |", md);
        Assert.Matches(@"\| scorecam \| 12 \| \*\*0\.\d{3} ± 0\.\d{3}\*\* \|", md);
        Assert.Contains("n/a [5]", md);
        Assert.Contains("[5] gradient, shap-error error: 12 of 12 images", md);
        Assert.Contains("## Timings", md);
        Assert.Contains("- 3 boxes were dropped by the centre crop.", md);
    }

    [Fact]
    public void Reports_are_byte_identical_under_de_DE_and_when_rebuilt()
    {
        SyntheticRun.Write(_dir.Path);
        var first = ReportWriter.WriteAll(_dir.Path);
        var bytes = first.Files.ToDictionary(f => f, f => File.ReadAllBytes(_dir[f]));
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var again = ReportWriter.WriteAll(_dir.Path);
            Assert.Equal(first.Files, again.Files);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
        foreach (var (f, b) in bytes) Assert.True(b.AsSpan().SequenceEqual(File.ReadAllBytes(_dir[f])), $"{f} differs");
        Assert.Contains(">0.2</text>", File.ReadAllText(_dir["plots/curve_deletion.svg"])); // tick labels with a point under de-DE
    }

    [Fact]
    public void Stale_plots_and_maps_are_removed_and_empty_results_still_give_a_report()
    {
        SyntheticRun.Write(_dir.Path);
        ReportWriter.WriteAll(_dir.Path);
        File.WriteAllText(_dir["plots/old.svg"], "<svg/>");
        var empty = SyntheticRun.Create() with { PerImage = [], Summary = [], Curves = [], Shap = [] };
        ResultsFolder.Write(_dir.Path, empty);
        File.Delete(_dir[ResultsFolder.ShapCsv]);
        File.Delete(_dir[ResultsFolder.GalleryIndex]);
        var output = ReportWriter.WriteAll(_dir.Path);
        Assert.Equal(["summary.md", "report.html"], output.Files);
        Assert.Empty(Directory.GetFiles(_dir["plots"]));
        Assert.Empty(Directory.GetFiles(_dir["maps"]));
        Assert.Contains("No results", File.ReadAllText(_dir["summary.md"]));
        Assert.Contains("No results", File.ReadAllText(_dir["report.html"]));
    }

    [Fact]
    public void History_appends_idempotently_and_the_report_draws_a_line_per_method()
    {
        string runs = Path.Combine(_dir.Path, "results", "nightly-vgg16");
        string db = Path.Combine(_dir.Path, "results", HistoryStore.FileName);
        string last = "";
        for (int night = 0; night < 3; night++)
        {
            var start = new DateTimeOffset(2026, 11, 20 + night, 2, 0, 0, TimeSpan.Zero);
            var run = SyntheticRun.Shift(SyntheticRun.Create(started: start) with { Info = SyntheticRun.Create().Info with { StartedUtc = start } }, "gradcam", "deletion", "auc", 0.01 * night);
            last = Path.Combine(runs, start.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture));
            SyntheticRun.Write(last, run);
            using var store = new HistoryStore(db);
            store.Append(run, last);
            store.Append(run, last); // again: replaces, does not add
        }
        using (var store = new HistoryStore(db))
        {
            var points = store.Points("nightly-vgg16", "deletion");
            Assert.Equal(3 * 4, points.Count);
            var gradcam = points.Where(p => p.Method == "gradcam").Select(p => p.Mean).ToList();
            Assert.Equal(0.01, gradcam[1] - gradcam[0], 1e-12);
            Assert.Equal(0.02, gradcam[2] - gradcam[0], 1e-12);
            Assert.All(store.Points("nightly-vgg16", "shap-error").Where(p => p.Method == "gradient"), p => Assert.True(double.IsNaN(p.Mean))); // NaN survives SQLite
        }
        var output = ReportWriter.WriteAll(last);
        Assert.Equal(Path.GetFullPath(db), Path.GetFullPath(output.HistoryDb!));
        var svg = new SvgReader(File.ReadAllText(Path.Combine(last, "plots/history_deletion_auc.svg")));
        var toY = svg.Axis("y-axis");
        var line = SvgReader.Points(svg.Series("gradcam").Elements(SvgReader.Ns + "polyline").Single());
        Assert.Equal(3, line.Count);
        Assert.Equal(0.02, toY(line[2].Y) - toY(line[0].Y), 1e-3);
        Assert.Equal(4, svg.Class("series").Count());
        Assert.Contains("id=\"history\"", File.ReadAllText(Path.Combine(last, "report.html")));
    }
}
