using EvalHarness.Reports.Results;

namespace EvalHarness.Reports.Tests;

public sealed class ReportWriterTests : IDisposable
{
    private readonly TestFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Writes_the_summary_plots_maps_and_page()
    {
        SyntheticRun.Write(_dir.Path);
        var output = ReportWriter.WriteAll(_dir.Path);
        Assert.Equal(
        [
            "summary.md", "plots/curve_deletion.svg", "plots/curve_insertion.svg", "plots/bar_deletion_auc.svg", "plots/bar_insertion_auc.svg",
            "plots/bar_pointing-game_hit.svg", "plots/bar_average-drop_drop.svg", "plots/bar_shap-error_error.svg", "plots/ranks.svg", "plots/shap_scatter.svg",
            "maps/ILSVRC2012_val_00000001.png", "maps/ILSVRC2012_val_00000002.png", "report.html",
        ], output.Files);
        foreach (var f in output.Files) Assert.True(File.Exists(_dir[f]), f);
        string keep = TestFolder.Artifacts("sample-report");
        foreach (var f in output.Files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(keep, f))!);
            File.Copy(_dir[f], Path.Combine(keep, f), overwrite: true);
        }
    }
}
