using EvalHarness.Metrics.Statistics;

namespace EvalHarness.Metrics.Tests;

public class StatisticsTests
{
    [Theory]
    [InlineData(1, 12.706204736174698)]   // tan(0.475π), exact for ν = 1
    [InlineData(2, 4.302652729749464)]    // 0.95·√(2/(4·0.975·0.025)), exact for ν = 2
    [InlineData(3, 3.182446305284263)]
    [InlineData(10, 2.228138851986274)]
    [InlineData(30, 2.042272456301238)]
    [InlineData(1000, 1.9623390808264)]   // Cornish–Fisher expansion to ν⁻⁴
    public void Student_t_quantiles_match_tables(int df, double expected)
    {
        Assert.Equal(expected, StudentT.Quantile(0.975, df), 8);
        Assert.Equal(-expected, StudentT.Quantile(0.025, df), 8);
    }

    [Fact]
    public void Closed_forms_for_one_and_two_degrees_of_freedom()
    {
        foreach (double p in new[] { 0.6, 0.9, 0.995 })
        {
            Assert.Equal(Math.Tan(Math.PI * (p - 0.5)), StudentT.Quantile(p, 1), 9);
            Assert.Equal((2 * p - 1) / Math.Sqrt(2 * p * (1 - p)), StudentT.Quantile(p, 2), 9);
        }
        Assert.Equal(0.5, StudentT.Cdf(0, 7), 15);
        Assert.Equal(Math.Log(24), StudentT.LogGamma(5), 13);
        Assert.Equal(0.5 * Math.Log(Math.PI), StudentT.LogGamma(0.5), 13);
    }

    [Fact]
    public void Spearman_uses_average_ranks_for_ties()
    {
        Assert.Equal([1, 2.5, 2.5, 4], RankStatistics.AverageRanks([1.0, 2, 2, 3]));
        Assert.Equal([2, 2, 2, 4, 5], RankStatistics.AverageRanks([0.0, 0, 0, 1, 7]));
        // ranks a = [1, 2.5, 2.5, 4], b = [1, 3, 2, 4]: Σdadb = 4.5, Σda² = 4.5, Σdb² = 5
        Assert.Equal(4.5 / Math.Sqrt(4.5 * 5), RankStatistics.Spearman([1.0, 2, 2, 3], [1.0, 3, 2, 4]), 14);
        Assert.Equal(-1, RankStatistics.Spearman([1.0, 2, 3], [9.0, 4, -1]), 14);
        Assert.True(double.IsNaN(RankStatistics.Spearman([1.0, 1, 1], [1.0, 2, 3])));
    }

    [Fact]
    public void Summary_reports_mean_standard_error_t_interval_and_counts()
    {
        var s = MetricSummary.Of("gradcam", "deletion", "auc", [1, 2, 3, 4, double.NaN]);
        Assert.Equal(2.5, s.Mean, 14);
        double se = Math.Sqrt(5.0 / 3 / 4);
        Assert.Equal(se, s.StandardError, 14);
        Assert.Equal(2.5 - 3.182446305284263 * se, s.IntervalLow, 9);
        Assert.Equal(2.5 + 3.182446305284263 * se, s.IntervalHigh, 9);
        Assert.Equal((4, 1, 5), (s.N, s.NotDefined, s.Values.Count));
        var one = MetricSummary.Of("m", "x", "v", [3]);
        Assert.Equal(3, one.Mean);
        Assert.True(double.IsNaN(one.StandardError) && double.IsNaN(one.IntervalLow));
        var none = MetricSummary.Of("m", "x", "v", [double.NaN, double.NaN]);
        Assert.True(double.IsNaN(none.Mean));
        Assert.Equal((0, 2), (none.N, none.NotDefined));
    }

    [Fact]
    public void Summaries_group_records_by_metric_and_value()
    {
        MetricRecord[] records =
        [
            new(0, 1, "pointing-game", "hit", 1), new(0, 1, "pointing-game", "skipped", 0),
            new(1, 2, "pointing-game", "hit", 0), new(1, 2, "pointing-game", "skipped", 0),
            new(0, 1, "deletion", "auc", 0.25),
        ];
        var s = MetricSummary.Summarize("rise", records);
        Assert.Equal([("pointing-game", "hit"), ("pointing-game", "skipped"), ("deletion", "auc")], s.Select(x => (x.Metric, x.ValueName)));
        Assert.Equal(0.5, s[0].Mean);
        Assert.All(s, x => Assert.Equal("rise", x.Method));
    }

    [Fact]
    public void Records_allow_nan_only_as_not_defined()
    {
        Assert.Throws<ArgumentException>(() => new MetricRecord(0, 0, "m", "v", double.NaN));
        Assert.Throws<ArgumentException>(() => new MetricRecord(0, 0, "m", "v", 1, "why"));
        Assert.Throws<Engine.NonFiniteException>(() => new MetricRecord(0, 0, "m", "v", double.PositiveInfinity));
        Assert.False(MetricRecord.NotDefined(0, 0, "m", "v", "no box").IsDefined);
    }
}
