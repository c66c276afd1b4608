using System.Globalization;
using EvalHarness.Reports.History;
using EvalHarness.Reports.Results;
using EvalHarness.Reports.Tests;

namespace EvalHarness.Cli.Tests;

public sealed class ReportCommandsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Folder(string name, RunResults? run = null)
    {
        string dir = _dir.File(name);
        SyntheticRun.Write(dir, run);
        return dir;
    }

    [Fact]
    public void Report_prints_the_table_and_writes_every_output()
    {
        string dir = Folder("run");
        var run = CliRun.Of("report", dir).Ok();
        Assert.Contains("nightly-vgg16", run.Output);
        Assert.Contains("deletion auc ↓", run.Output);
        Assert.Contains("scorecam", run.Output);
        Assert.Contains("[5] gradient, shap-error error: 12 of 12 images have no value", run.Output);
        Assert.Contains("wrote 13 files", run.Output);
        Assert.False(run.Output.Contains('\u001b'), run.Output.Replace("\u001b", "<ESC>")); // no escape codes when not on a terminal
        Assert.True(File.Exists(Path.Combine(dir, "report.html")));
        Assert.True(File.Exists(Path.Combine(dir, "maps", "ILSVRC2012_val_00000002.png")));
        CliRun.Of("report", _dir.File("missing")).UserError("missing", "does not exist");
        CliRun.Of("report", dir, "--max-maps", "-1").UserError("--max-maps");
    }

    [Fact]
    public void Compare_exit_codes_identical_regressed_tolerated_and_bad_input()
    {
        var baseline = SyntheticRun.Create();
        string a = Folder("a", baseline), same = Folder("same", baseline);
        string worse = Folder("worse", SyntheticRun.Shift(baseline, "gradcam", "deletion", "auc", 0.02));
        var ok = CliRun.Of("compare", a, same).Ok();
        Assert.Contains("OK: no value got worse", ok.Error);
        Assert.Contains("| gradcam | deletion auc | ↓ |", ok.Output);

        string outDir = _dir.File("cmp");
        var bad = CliRun.Of("compare", a, worse, "--out", outDir);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("REGRESSION: 1 value got worse beyond the tolerance (gradcam / deletion auc)", bad.Error);
        Assert.Contains("**regressed**", File.ReadAllText(Path.Combine(outDir, "comparison.md")));
        Assert.Contains("gradcam,deletion,auc,lower,true,", File.ReadAllText(Path.Combine(outDir, "comparison.csv")));

        Assert.Equal(0, CliRun.Of("compare", a, worse, "--tolerance", "deletion=0.05").ExitCode);
        Assert.Equal(0, CliRun.Of("compare", a, worse, "-t", "*=0.03", "insertion=0.01").ExitCode);
        Assert.Equal(1, CliRun.Of("compare", a, worse, "--tolerance", "deletion.auc=1%").ExitCode);
        CliRun.Of("compare", a, worse, "--tolerance", "delet=0.1").UserError("delet", "deletion");
        CliRun.Of("compare", a, worse, "--tolerance", "deletion=abc").UserError("deletion=abc");
        CliRun.Of("compare", a, _dir.File("nope")).UserError("nope", "does not exist");
        File.Delete(Path.Combine(same, ResultsFolder.SummaryCsv));
        CliRun.Of("compare", a, same).UserError("summary.csv", "missing");
    }

    [Fact]
    public void Compare_reports_differing_configs_and_compares_what_both_have()
    {
        var baseline = SyntheticRun.Create();
        var info = baseline.Info with { ConfigHash = "ffff", EvalHarnessVersion = "0.2.0" };
        var perImage = baseline.PerImage.Where(p => p.Metric != "average-drop").ToList();
        string a = Folder("a", baseline), b = Folder("b", baseline with { Info = info, PerImage = perImage, Summary = SyntheticRun.Summarise(info, perImage) });
        var run = CliRun.Of("compare", a, b).Ok();
        Assert.Contains("EvalHarness version: 0.1.0 → 0.2.0", run.Output);
        Assert.Contains("## Only in the baseline (not compared)", run.Output);
        Assert.Contains("note: 8 value(s) only in the baseline", run.Error);
    }

    [Fact]
    public void History_prints_the_trend_per_metric()
    {
        string db = _dir.File("results/history.sqlite");
        using (var store = new HistoryStore(db))
            for (int night = 0; night < 3; night++)
            {
                var start = new DateTimeOffset(2026, 11, 20 + night, 2, 0, 0, TimeSpan.Zero);
                var baseRun = SyntheticRun.Create();
                store.Append(SyntheticRun.Shift(baseRun with { Info = baseRun.Info with { StartedUtc = start } }, "rise", "deletion", "auc", 0.01 * night));
            }
        var run = CliRun.Of("history", "--db", db, "--metric", "deletion").Ok();
        Assert.Contains("deletion auc ↓", run.Output);
        Assert.Contains("2026-11-22 02:00", run.Output);
        Assert.Contains("+0.0200", run.Output); // rise got worse by 0.02 over the three nights
        Assert.DoesNotContain("insertion", run.Output);
        Assert.Contains("insertion auc ↑", CliRun.Of("history", "--db", db).Ok().Output);
        CliRun.Of("history", "--db", db, "--metric", "deletoin").UserError("deletoin", "deletion");
        CliRun.Of("history", "--db", _dir.File("none.sqlite")).UserError("no history", "none.sqlite");
    }

    [Fact]
    public void Compare_markdown_is_invariant_under_de_DE()
    {
        var baseline = SyntheticRun.Create();
        string a = Folder("a", baseline), b = Folder("b", SyntheticRun.Shift(baseline, "rise", "insertion", "auc", 0.015));
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var run = CliRun.Of("compare", a, b, "--tolerance", "insertion=0,5");
            Assert.Equal(2, run.ExitCode); // a decimal comma is not a number here
            run = CliRun.Of("compare", a, b).Ok();
            Assert.Contains("| +0.0150 |", run.Output);
            Assert.DoesNotContain("0,0150", run.Output);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }
}
