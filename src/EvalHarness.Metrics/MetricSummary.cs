using EvalHarness.Metrics.Statistics;

namespace EvalHarness.Metrics;

/// <summary>
/// The dataset-level summary of one value of one metric for one method: mean of the defined per-image
/// values, standard error s/√n (s with n − 1), and the 95% interval mean ± t_{0.975, n−1}·SE from
/// Student's t distribution (exact for normal data, conservative for small n). Values that are not
/// defined (NaN) are counted in <see cref="NotDefined"/>, never averaged. With n &lt; 2 the standard
/// error and interval are NaN; with n = 0 so is the mean.
/// </summary>
public sealed record MetricSummary(
    string Method, string Metric, string ValueName,
    double Mean, double StandardError, double IntervalLow, double IntervalHigh,
    int N, int NotDefined, IReadOnlyList<double> Values)
{
    public const string IntervalKind = "95% Student-t interval, n − 1 degrees of freedom";

    /// <summary>Summarises per-image values (NaN = not defined).</summary>
    public static MetricSummary Of(string method, string metric, string valueName, IEnumerable<double> values)
    {
        var all = values.ToArray();
        var defined = all.Where(v => !double.IsNaN(v)).ToArray();
        if (defined.Any(double.IsInfinity)) throw new ArgumentException($"{metric}/{valueName} of {method} has an infinite per-image value.");
        int n = defined.Length;
        double mean = n > 0 ? defined.Average() : double.NaN;
        double se = double.NaN, lo = double.NaN, hi = double.NaN;
        if (n >= 2)
        {
            double ss = 0;
            foreach (double v in defined) ss += (v - mean) * (v - mean);
            se = Math.Sqrt(ss / (n - 1) / n);
            double t = StudentT.Quantile(0.975, n - 1);
            lo = mean - t * se;
            hi = mean + t * se;
        }
        return new MetricSummary(method, metric, valueName, mean, se, lo, hi, n, all.Length - n, all);
    }

    /// <summary>One summary per metric and value name, in the order they first appear in <paramref name="records"/>.</summary>
    public static IReadOnlyList<MetricSummary> Summarize(string method, IEnumerable<MetricRecord> records)
    {
        var groups = new Dictionary<(string, string), List<double>>();
        var order = new List<(string Metric, string Value)>();
        foreach (var r in records)
        {
            var key = (r.Metric, r.ValueName);
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
                order.Add(key);
            }
            list.Add(r.Value);
        }
        return order.Select(k => Of(method, k.Metric, k.Value, groups[k])).ToList();
    }
}
