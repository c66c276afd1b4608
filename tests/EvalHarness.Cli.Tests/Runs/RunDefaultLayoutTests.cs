using EvalHarness.Reports.History;
using EvalHarness.Reports.Results;

namespace EvalHarness.Cli.Tests.Runs;

/// <summary>
/// `evalharness run cfg.yaml` without --out, in a folder of its own (a child process: the layout is relative to the
/// working folder): results/&lt;name&gt;/&lt;UTC stamp&gt;/, every finished run in results/history.sqlite, which
/// `evalharness history` reads, and --resume continuing the latest run of the config as the same history point.
/// </summary>
public sealed class RunDefaultLayoutTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private (int Code, string Output, string Error) Cli(params string[] args) => ChildProcess.Run(ChildProcess.Cli(_temp.Path, args), Timeout);

    [Fact]
    public void Runs_go_to_results_name_stamp_and_into_the_history_and_resume_continues_the_latest()
    {
        _temp.Write("tiny.yaml", RunConfigs.Synthetic("tiny", 2, 2, "[gradcam]", "[{name: pointing-game, params: {tolerance: 4}}]"));
        string root = _temp.File(Path.Combine("results", "tiny"));
        var resume = Cli("run", "tiny.yaml", "--resume");
        Assert.Equal(2, resume.Code);
        Assert.Equal($"error: --resume: no earlier run of 'tiny' under {root}; give its folder with --out, or start a new run without --resume.", resume.Error.Trim());

        var first = Cli("run", "tiny.yaml", "--quiet");
        Assert.True(first.Code == 0, first.Error);
        var second = Cli("run", "tiny.yaml", "--quiet");
        Assert.True(second.Code == 0, second.Error);
        var runs = Directory.GetDirectories(root).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Matches(@"^\d{8}T\d{6}Z(-\d+)?$", Path.GetFileName(r)));
        Assert.Contains($"results: {runs[^1]}", second.Output);

        string db = _temp.File(Path.Combine("results", HistoryStore.FileName));
        using (var history = new HistoryStore(db))
            Assert.Equal(2, history.Points("tiny").Select(p => p.RunKey).Distinct().Count());
        var trend = Cli("history", "--name", "tiny");
        Assert.True(trend.Code == 0, trend.Error);
        Assert.Contains("pointing-game", trend.Output);

        // --resume without --out continues the latest run: nothing to compute, the same tables, still two history points.
        var summary = File.ReadAllBytes(Path.Combine(runs[^1], ResultsFolder.SummaryCsv));
        var again = Cli("run", "tiny.yaml", "--resume", "--quiet");
        Assert.True(again.Code == 0, again.Error);
        Assert.Contains($"results: {runs[^1]}", again.Output);
        Assert.Equal(summary, File.ReadAllBytes(Path.Combine(runs[^1], ResultsFolder.SummaryCsv)));
        using (var history = new HistoryStore(db))
            Assert.Equal(2, history.Points("tiny").Select(p => p.RunKey).Distinct().Count());
    }
}
