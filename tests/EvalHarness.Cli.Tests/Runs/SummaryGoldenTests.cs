using System.Globalization;
using EvalHarness.Reports.Results;
using EvalHarness.Tests.Common;

namespace EvalHarness.Cli.Tests.Runs;

/// <summary>
/// summary.csv against a committed golden file, written by a run under the invariant culture and by one
/// under de-DE (a separate process with LC_ALL=de_DE.UTF-8, whose decimal separator is a comma). The
/// values are exact on any machine: pointing-game hits (0 or 1) of precomputed maps with a single peak
/// and of the seeded random baseline, so a difference is a formatting or aggregation change, never
/// floating-point noise. Regenerate the golden file only for a deliberate format change
/// (EVALHARNESS_WRITE_GOLDEN=1 writes it; inspect it before committing).
/// </summary>
public sealed class SummaryGoldenTests : IDisposable
{
    private const int Images = 6;

    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Golden => Path.Combine(TestPaths.RepoRoot, "tests", "EvalHarness.Cli.Tests", "golden", "summary-pointing.csv");

    private string Config()
    {
        string maps = _temp.File("maps");
        Directory.CreateDirectory(maps);
        for (int i = 0; i < Images; i++)
        {
            int py = i * 17 % 64, px = i * 29 % 64;
            RunConfigs.Map(Path.Combine(maps, $"synthetic-test-{i:000000}.npy"), 64, 64, (y, x) => y == py && x == px ? 1f : 0f);
        }
        return _temp.Write("golden.yaml", RunConfigs.Synthetic("golden", Images, 4,
            $"[random, {{name: precomputed, id: peaks, params: {{folder: {maps}}}}}]",
            "[{name: pointing-game, id: pointing-box, params: {tolerance: 4}}, {name: pointing-game, id: pointing-mask, params: {tolerance: 0, region: masks}}]"));
    }

    [SkippableFact]
    public void Summary_csv_is_the_golden_file_under_the_invariant_culture_and_under_de_DE()
    {
        if (Environment.GetEnvironmentVariable("EVALHARNESS_WRITE_GOLDEN") == "1")
        {
            CliRun.Of("run", Config(), "--out", _temp.File("golden"), "--quiet").Ok();
            File.Copy(Path.Combine(_temp.File("golden"), ResultsFolder.SummaryCsv), Golden, overwrite: true);
            Skip.If(true, $"EVALHARNESS_WRITE_GOLDEN=1: wrote {Golden}; check it by hand and commit it.");
        }
        var golden = File.ReadAllText(Golden);
        Assert.DoesNotContain(";", golden);
        Assert.Matches(@"\d\.\d", golden);
        string config = Config();

        CliRun.Of("run", config, "--out", _temp.File("invariant"), "--quiet").Ok();
        Assert.Equal(golden, File.ReadAllText(Path.Combine(_temp.File("invariant"), ResultsFolder.SummaryCsv)));

        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.Equal("0,5", 0.5.ToString(CultureInfo.CurrentCulture));
            CliRun.Of("run", config, "--out", _temp.File("de-thread"), "--quiet").Ok();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
        Assert.Equal(golden, File.ReadAllText(Path.Combine(_temp.File("de-thread"), ResultsFolder.SummaryCsv)));

        var german = ChildProcess.Cli(_temp.Path, "run", config, "--out", _temp.File("de"), "--quiet");
        german.Environment["LC_ALL"] = "de_DE.UTF-8";
        german.Environment["LANG"] = "de_DE.UTF-8";
        ChildProcess.Ok(german, TimeSpan.FromMinutes(3));
        Assert.Equal(golden, File.ReadAllText(Path.Combine(_temp.File("de"), ResultsFolder.SummaryCsv)));
    }
}
