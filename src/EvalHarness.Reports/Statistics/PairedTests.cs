namespace EvalHarness.Reports.Statistics;

/// <summary>The result of the paired tests on differences d = candidate − baseline.</summary>
/// <param name="MeanDifference">Mean of d.</param>
/// <param name="TTestP">Two-sided p of the paired t-test (Student 1908): t = mean(d)/(s_d/√n), n − 1 degrees of freedom.</param>
/// <param name="WilcoxonP">Two-sided p of Wilcoxon's signed-rank test (zeros dropped, average ranks for ties); exact up to <see cref="PairedTests.ExactLimit"/> non-zero differences, else the normal approximation with tie and continuity corrections.</param>
/// <param name="CohenDz">Effect size d_z = mean(d)/s_d (Cohen 1988, §2.3.5); 0 when every d is 0, ±∞ when d is constant and not 0.</param>
public sealed record PairedResult(int N, double MeanDifference, double TTestP, double WilcoxonP, double CohenDz);

public static class PairedTests
{
    public const int ExactLimit = 50;

    public static PairedResult Run(IReadOnlyList<double> differences)
    {
        int n = differences.Count;
        if (n == 0) return new PairedResult(0, double.NaN, double.NaN, double.NaN, double.NaN);
        double mean = differences.Average();
        double ss = 0;
        foreach (var d in differences) ss += (d - mean) * (d - mean);
        double sd = n > 1 ? Math.Sqrt(ss / (n - 1)) : double.NaN;
        double tP, dz;
        if (n < 2) (tP, dz) = (double.NaN, double.NaN);
        else if (sd == 0 || sd < 1e-14 * Math.Abs(mean)) (tP, dz) = mean == 0 ? (1.0, 0.0) : (0.0, mean > 0 ? double.PositiveInfinity : double.NegativeInfinity);
        else (tP, dz) = (Distributions.StudentTwoSided(mean / (sd / Math.Sqrt(n)), n - 1), mean / sd);
        return new PairedResult(n, mean, tP, Wilcoxon(differences), dz);
    }

    /// <summary>Two-sided p of the signed-rank test; 1 when every difference is 0.</summary>
    public static double Wilcoxon(IReadOnlyList<double> differences)
    {
        var nonZero = differences.Where(d => d != 0 && !double.IsNaN(d)).ToList();
        int n = nonZero.Count;
        if (n == 0) return 1;
        var order = Enumerable.Range(0, n).OrderBy(i => Math.Abs(nonZero[i])).ToList();
        var doubledRank = new int[n];
        double tieTerm = 0;
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end + 1 < n && Math.Abs(nonZero[order[end + 1]]) == Math.Abs(nonZero[order[start]])) end++;
            int twice = start + end + 2; // 2 × the average of ranks start+1 … end+1
            for (int k = start; k <= end; k++) doubledRank[order[k]] = twice;
            int t = end - start + 1;
            tieTerm += (double)t * t * t - t;
            start = end + 1;
        }
        int wPlus2 = 0, total2 = 0;
        for (int i = 0; i < n; i++)
        {
            total2 += doubledRank[i];
            if (nonZero[i] > 0) wPlus2 += doubledRank[i];
        }
        if (n <= ExactLimit)
        {
            // The exact permutation distribution of 2·W+ given the ranks: each sign is + or − with probability ½.
            var counts = new double[total2 + 1];
            counts[0] = 1;
            int reach = 0;
            foreach (var r in doubledRank)
            {
                for (int s = reach; s >= 0; s--)
                    if (counts[s] != 0) counts[s + r] += counts[s];
                reach += r;
            }
            double all = Math.Pow(2, n), below = 0, above = 0;
            for (int s = 0; s <= total2; s++)
            {
                if (s <= wPlus2) below += counts[s];
                if (s >= wPlus2) above += counts[s];
            }
            return Math.Min(1, 2 * Math.Min(below, above) / all);
        }
        double w = wPlus2 / 2.0, mu = n * (n + 1) / 4.0;
        double variance = n * (n + 1) * (2.0 * n + 1) / 24 - tieTerm / 48;
        double z = (Math.Abs(w - mu) - 0.5) / Math.Sqrt(variance);
        return Math.Min(1, Distributions.NormalTwoSided(Math.Max(0, z)));
    }
}
