namespace EvalHarness.Metrics.Statistics;

/// <summary>Ranks and correlations used by the metrics.</summary>
public static class RankStatistics
{
    /// <summary>Ranks 1..n with ties given the average of the ranks they span (scipy.stats.rankdata 'average').</summary>
    public static double[] AverageRanks(ReadOnlySpan<double> values)
    {
        int n = values.Length;
        var index = new int[n];
        for (int i = 0; i < n; i++) index[i] = i;
        var keys = values.ToArray();
        Array.Sort(keys, index);
        var ranks = new double[n];
        for (int i = 0; i < n;)
        {
            int j = i + 1;
            while (j < n && keys[j] == keys[i]) j++;
            double rank = (i + 1 + j) / 2.0; // average of ranks i+1 … j
            for (int k = i; k < j; k++) ranks[index[k]] = rank;
            i = j;
        }
        return ranks;
    }

    public static double[] AverageRanks(ReadOnlySpan<float> values)
    {
        var d = new double[values.Length];
        for (int i = 0; i < d.Length; i++) d[i] = values[i];
        return AverageRanks(d);
    }

    /// <summary>Pearson correlation; NaN when either input is constant.</summary>
    public static double Pearson(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Correlation of {a.Length} and {b.Length} values.");
        int n = a.Length;
        double ma = 0, mb = 0;
        for (int i = 0; i < n; i++)
        {
            ma += a[i];
            mb += b[i];
        }
        ma /= n;
        mb /= n;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; i++)
        {
            double da = a[i] - ma, db = b[i] - mb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        return saa > 0 && sbb > 0 ? Math.Clamp(sab / Math.Sqrt(saa * sbb), -1, 1) : double.NaN;
    }

    /// <summary>Spearman's ρ: the Pearson correlation of average ranks (ties share their mean rank); NaN when either input is constant.</summary>
    public static double Spearman(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => Pearson(AverageRanks(a), AverageRanks(b));

    public static double Spearman(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => Pearson(AverageRanks(a), AverageRanks(b));
}
