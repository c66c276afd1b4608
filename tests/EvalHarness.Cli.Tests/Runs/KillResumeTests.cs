using System.Diagnostics;
using EvalHarness.Reports.Results;

namespace EvalHarness.Cli.Tests.Runs;

/// <summary>
/// A run killed with SIGKILL at seeded random moments, several times, and continued with --resume each
/// time, ends with tables byte-identical to an uninterrupted run's: nothing lost, nothing repeated.
/// (About 30–60 s: the run must be long enough for the kills to land inside it.)
/// </summary>
public sealed class KillResumeTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Runs_killed_at_random_moments_and_resumed_equal_an_uninterrupted_run()
    {
        string config = _temp.Write("kill.yaml", RunConfigs.Synthetic("kill", 12, 2,
            "[gradcam, smoothgrad, scorecam, {name: rise, params: {masks: 300, cells: 4}}]",
            "[average-drop, {name: deletion, params: {steps: 16}}, {name: insertion, params: {steps: 16}}, {name: pointing-game, params: {tolerance: 4}}, shap-error]"));
        string reference = _temp.File("reference");
        CliRun.Of("run", config, "--out", reference, "--quiet").Ok();

        string dir = _temp.File("killed");
        var rng = new Random(20261122);
        int interrupted = 0, partial = 0;
        for (int attempt = 0; attempt < 6; attempt++)
        {
            bool started = File.Exists(Path.Combine(dir, "store.sqlite"));
            var start = started ? ChildProcess.Cli(_temp.Path, "run", config, "--out", dir, "--resume", "--quiet")
                                : ChildProcess.Cli(_temp.Path, "run", config, "--out", dir, "--quiet");
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            _ = stdout;
            // Wait until the run has started (run.json written at its start; start-up takes seconds on a busy
            // machine), then a random delay within the run (≈ 10–15 s on an idle machine).
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!process.HasExited && (!started && !File.Exists(Path.Combine(dir, ResultsFolder.RunJson)) || clock.Elapsed < TimeSpan.FromSeconds(0.5))
                   && clock.Elapsed < TimeSpan.FromSeconds(120))
                await Task.Delay(50);
            if (process.WaitForExit(TimeSpan.FromSeconds(rng.NextDouble() * 5)))
            {
                string error = await stderr;
                Assert.True(process.ExitCode == 0, $"attempt {attempt} failed: {error}");
                break;
            }
            process.Kill(entireProcessTree: true); // SIGKILL
            await process.WaitForExitAsync();
            interrupted++;
            if (File.Exists(Path.Combine(dir, ResultsFolder.RunJson)) && !File.Exists(Path.Combine(dir, ResultsFolder.PerImageCsv))) partial++;
        }
        Assert.True(interrupted >= 2, $"only {interrupted} kill(s) landed inside the run; the test proves nothing");
        Assert.True(partial >= 1, "no kill landed after the run had started writing");

        if (!File.Exists(Path.Combine(dir, ResultsFolder.PerImageCsv)))
            ChildProcess.Ok(ChildProcess.Cli(_temp.Path, "run", config, "--out", dir, "--resume", "--quiet"), TimeSpan.FromMinutes(5));

        string[] files = [ResultsFolder.PerImageCsv, ResultsFolder.SummaryCsv, ResultsFolder.CurvesCsv];
        Assert.Equal(RunConfigs.Bytes(reference, files), RunConfigs.Bytes(dir, files));
        var rows = ResultsFolder.Read(dir).PerImage;
        Assert.Equal(rows.Count, rows.Select(r => (r.ImageId, r.Method, r.Metric, r.ValueName)).Distinct().Count());
        Assert.Equal(12, rows.Select(r => r.ImageId).Distinct().Count());
    }
}
