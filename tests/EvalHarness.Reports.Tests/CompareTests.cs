using System.Globalization;
using System.Text.Json.Nodes;
using EvalHarness.Engine;
using EvalHarness.Reports.Compare;
using EvalHarness.Reports.Results;

namespace EvalHarness.Reports.Tests;

public sealed class CompareTests
{
    private static readonly RunResults Baseline = SyntheticRun.Create();

    private static RunComparison Compare(RunResults candidate, params string[] tolerances) =>
        RunComparer.Compare(Baseline, candidate, Tolerances.Parse(tolerances));

    private static ComparisonRow Row(RunComparison c, string method, string metric, string value) =>
        c.Rows.Single(r => r.Method == method && r.Metric == metric && r.ValueName == value);

    [Fact]
    public void Identical_runs_pass_with_zero_deltas()
    {
        var c = Compare(Baseline);
        Assert.False(c.HasRegression);
        Assert.Empty(c.Differences);
        Assert.Empty(c.OnlyInBaseline);
        Assert.All(c.Rows, r => Assert.True(r.Delta == 0 || double.IsNaN(r.Delta), $"{r.Method} {r.Metric}: {r.Delta}"));
        Assert.All(c.Rows.Where(r => r.Direction != "none"), r => Assert.Equal(Verdict.Unchanged, r.Verdict));
        Assert.Equal(12, c.SharedImages);
        Assert.StartsWith("OK:", ComparisonWriter.Verdict(c));
    }

    [Fact]
    public void A_planted_regression_is_found_in_its_direction_and_an_improvement_is_not_one()
    {
        // gradcam's deletion AUC (lower is better) up by 0.03: a regression; its insertion AUC (higher is better) up: an improvement.
        var candidate = SyntheticRun.Shift(SyntheticRun.Shift(Baseline, "gradcam", "deletion", "auc", 0.03), "gradcam", "insertion", "auc", 0.03);
        var c = Compare(candidate);
        var deletion = Row(c, "gradcam", "deletion", "auc");
        Assert.Equal(Verdict.Regressed, deletion.Verdict);
        Assert.Equal(0.03, deletion.Delta, 1e-12);
        Assert.Equal(12, deletion.Paired);
        Assert.Equal(0, deletion.TTestP); // a constant shift: every difference is 0.03
        Assert.Equal(2.0 / 4096, deletion.WilcoxonP, 1e-15);
        Assert.Equal(Verdict.Improved, Row(c, "gradcam", "insertion", "auc").Verdict);
        Assert.Equal(Verdict.Unchanged, Row(c, "scorecam", "deletion", "auc").Verdict);
        Assert.Single(c.Regressions);
        Assert.Contains("REGRESSION: 1 value got worse", ComparisonWriter.Verdict(c));
        Assert.Contains("gradcam / deletion auc", ComparisonWriter.Verdict(c));
    }

    [Fact]
    public void Tolerances_absorb_small_worsening_absolute_relative_and_by_value()
    {
        var candidate = SyntheticRun.Shift(Baseline, "rise", "insertion", "auc", -0.01);
        Assert.True(Compare(candidate).HasRegression);
        Assert.False(Compare(candidate, "insertion=0.02").HasRegression);
        Assert.Equal(Verdict.WithinTolerance, Row(Compare(candidate, "insertion.auc=0.02"), "rise", "insertion", "auc").Verdict);
        Assert.False(Compare(candidate, "*=5%").HasRegression); // 5% of ≈0.69
        Assert.True(Compare(candidate, "*=1%").HasRegression);
        Assert.True(Compare(candidate, "*=0.5", "insertion=0.001").HasRegression); // the metric's own tolerance wins over '*'
    }

    [Fact]
    public void Noise_gets_a_paired_test_and_effect_size_from_the_per_image_differences()
    {
        var rng = new Random(3);
        var perImage = Baseline.PerImage.Select(p => p.Method == "scorecam" && p.Metric == "deletion" ? p with { Value = p.Value + 0.01 + 0.02 * (rng.NextDouble() - 0.5) } : p).ToList();
        var candidate = Baseline with { PerImage = perImage, Summary = SyntheticRun.Summarise(Baseline.Info, perImage) };
        var row = Row(Compare(candidate), "scorecam", "deletion", "auc");
        var a = Baseline.PerImage.Where(p => p.Method == "scorecam" && p.Metric == "deletion").OrderBy(p => p.ImageId, StringComparer.Ordinal).Select(p => p.Value).ToList();
        var b = perImage.Where(p => p.Method == "scorecam" && p.Metric == "deletion").OrderBy(p => p.ImageId, StringComparer.Ordinal).Select(p => p.Value).ToList();
        var d = a.Zip(b, (x, y) => y - x).ToList();
        double mean = d.Average(), sd = Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (d.Count - 1));
        Assert.Equal(mean, row.Delta, 1e-12);
        Assert.Equal(mean / sd, row.CohenDz, 1e-9);
        Assert.InRange(row.TTestP, 0, 0.01);
        Assert.Equal(Verdict.Regressed, row.Verdict);
    }

    [Fact]
    public void More_images_without_a_value_is_a_regression()
    {
        var perImage = Baseline.PerImage.Select(p => p.Method == "rise" && p.Metric == "insertion" && p.ImageIndex == 0 ? p with { Value = double.NaN, NotDefinedReason = "the map is constant" } : p).ToList();
        var c = Compare(Baseline with { PerImage = perImage, Summary = SyntheticRun.Summarise(Baseline.Info, perImage) }, "*=1");
        var row = Row(c, "rise", "insertion", "auc");
        Assert.Equal((0, 1), (row.BaselineNotDefined, row.CandidateNotDefined));
        Assert.Equal(Verdict.Regressed, row.Verdict);
    }

    [Fact]
    public void Different_configs_versions_and_metrics_are_reported_and_the_rest_compared()
    {
        var config = (JsonObject)Baseline.Info.ResolvedConfig.DeepClone();
        config["metrics"]![0]!["steps"] = 50;
        config["batch_size"] = 16;
        var info = Baseline.Info with
        {
            ConfigHash = "0000aaaa",
            ResolvedConfig = config,
            EvalHarnessVersion = "0.2.0",
            Methods = Baseline.Info.Methods.Select(m => m.Id == "rise" ? m with { Version = 2 } : m).ToList(),
        };
        var perImage = Baseline.PerImage.Where(p => p.Metric != "pointing-game").ToList();
        var candidate = Baseline with { Info = info, PerImage = perImage, Summary = SyntheticRun.Summarise(info, perImage) };
        var c = Compare(candidate);
        Assert.Contains("EvalHarness version: 0.1.0 → 0.2.0", c.Differences);
        Assert.Contains("method rise version: rise v1 → rise v2", c.Differences);
        var hash = c.Differences.Single(d => d.StartsWith("config hash", StringComparison.Ordinal));
        Assert.Contains("batch_size", hash);
        Assert.Contains("metrics[0].steps", hash);
        Assert.Equal(4, c.OnlyInBaseline.Count);
        Assert.Contains("gradcam / pointing-game hit", c.OnlyInBaseline);
        Assert.False(c.HasRegression);
        string md = ComparisonWriter.Markdown(c, "a", "b");
        Assert.Contains("## The runs differ", md);
        Assert.Contains("## Only in the baseline (not compared)", md);
    }

    [Fact]
    public void Nothing_in_common_empty_results_and_bad_tolerances_are_user_errors()
    {
        var other = Baseline with { Summary = Baseline.Summary.Select(s => s with { Method = s.Method + "-x" }).ToList() };
        Assert.Contains("share no method × metric value", Assert.Throws<EvalHarnessException>(() => Compare(other)).Message);
        Assert.Contains("holds no results", Assert.Throws<EvalHarnessException>(() => Compare(Baseline with { Summary = [] })).Message);
        Assert.Contains("not metric=value", Assert.Throws<EvalHarnessException>(() => Tolerances.Parse(["deletion"])).Message);
        Assert.Contains("non-negative", Assert.Throws<EvalHarnessException>(() => Tolerances.Parse(["deletion=-1"])).Message);
        Assert.Contains("non-negative", Assert.Throws<EvalHarnessException>(() => Tolerances.Parse(["deletion=0,01"])).Message);
        var e = Assert.Throws<UnknownNameException>(() => Compare(Baseline, "deletoin=0.1"));
        Assert.Contains("deletion", e.Message);
    }

    [Fact]
    public void Markdown_and_csv_numbers_are_invariant_under_de_DE()
    {
        var candidate = SyntheticRun.Shift(Baseline, "gradcam", "deletion", "auc", 0.03);
        var saved = CultureInfo.CurrentCulture;
        string md, csv;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var c = Compare(candidate);
            (md, csv) = (ComparisonWriter.Markdown(c, "a", "b"), ComparisonWriter.Csv(c));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
        var invariant = Compare(candidate);
        Assert.Equal(ComparisonWriter.Markdown(invariant, "a", "b"), md);
        Assert.Equal(ComparisonWriter.Csv(invariant), csv);
        Assert.Contains("| +0.0300 |", md);
        var line = csv.Split('\n').Single(l => l.StartsWith("gradcam,deletion,auc,", StringComparison.Ordinal));
        Assert.Equal(17, line.Split(',').Length);
        Assert.Contains(",regressed", line);
        Assert.DoesNotContain("0,03", csv);
    }
}
