using EvalHarness.Reports.Statistics;

namespace EvalHarness.Reports.Tests;

public sealed class StatisticsTests
{
    [Fact]
    public void Distributions_match_tabulated_values()
    {
        // erfc(1), erfc(3.5) (A&S table 7.1); t quantiles (A&S table 26.10); P(|T| ≥ 1) for ν = 1 is exactly 1/2.
        Assert.Equal(0.157299207050285, Distributions.Erfc(1), 1e-13);
        Assert.Equal(7.43098372341413e-7, Distributions.Erfc(3.5), 1e-18);
        Assert.Equal(0.5, Distributions.StudentTwoSided(1, 1), 1e-12);
        Assert.Equal(2.228138851986, Distributions.StudentCritical(0.05, 10), 1e-9);
        Assert.Equal(12.706204736175, Distributions.StudentCritical(0.05, 1), 1e-8);
        Assert.Equal(0.05, Distributions.NormalTwoSided(1.959963984540), 1e-11);
    }

    [Fact]
    public void Paired_tests_on_a_hand_computed_sample()
    {
        // d = 1..5: mean 3, s = √2.5, t = 3/(√2.5/√5) = √18 ≈ 4.2426 on 4 df → two-sided p = 0.013236 (the t distribution on 4 df has
        // the closed form P(|T| ≥ t) = 1 − (3/2)·u + (1/2)·u³ … with u = t/√(t²+4)); d_z = 3/√2.5.
        var r = PairedTests.Run([1, 2, 3, 4, 5]);
        double t = Math.Sqrt(18), u = t / Math.Sqrt(t * t + 4);
        double closedForm = 1 - (1.5 * u - 0.5 * u * u * u);
        Assert.Equal(closedForm, r.TTestP, 1e-12);
        Assert.Equal(0.013236, r.TTestP, 1e-6);
        Assert.Equal(3 / Math.Sqrt(2.5), r.CohenDz, 1e-12);
        // All five signs positive: the exact signed-rank p is 2 · (1/32).
        Assert.Equal(2.0 / 32, r.WilcoxonP, 1e-15);
    }

    [Fact]
    public void Wilcoxon_exact_with_ties_and_zeros_by_enumeration()
    {
        double[] d = [0.5, -0.5, 1.5, 2, 0, -3, 2, 4];
        // Enumerate all 2^7 sign patterns of the non-zero |d| with average ranks: the independent reference.
        var nz = d.Where(x => x != 0).ToArray();
        var ranks = nz.Select(x => nz.Count(y => Math.Abs(y) < Math.Abs(x)) + (nz.Count(y => Math.Abs(y) == Math.Abs(x)) + 1) / 2.0).ToArray();
        double observed = nz.Select((x, i) => x > 0 ? ranks[i] : 0).Sum();
        int below = 0, above = 0, all = 1 << nz.Length;
        for (int mask = 0; mask < all; mask++)
        {
            double w = 0;
            for (int i = 0; i < nz.Length; i++) if ((mask & (1 << i)) != 0) w += ranks[i];
            if (w <= observed + 1e-12) below++;
            if (w >= observed - 1e-12) above++;
        }
        Assert.Equal(Math.Min(1, 2.0 * Math.Min(below, above) / all), PairedTests.Wilcoxon(d), 1e-15);
    }

    [Fact]
    public void Identical_and_constant_differences()
    {
        var zero = PairedTests.Run([0, 0, 0]);
        Assert.Equal((1.0, 1.0, 0.0), (zero.TTestP, zero.WilcoxonP, zero.CohenDz));
        var constant = PairedTests.Run([0.1, 0.1, 0.1]);
        Assert.Equal(0, constant.TTestP);
        Assert.True(double.IsPositiveInfinity(constant.CohenDz));
        Assert.True(double.IsNaN(PairedTests.Run([]).TTestP));
    }
}
