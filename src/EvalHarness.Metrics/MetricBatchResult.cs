namespace EvalHarness.Metrics;

/// <summary>What a metric returns for a batch: per-image records, optional curves, and the protocol actually applied.</summary>
public sealed class MetricBatchResult
{
    public required IReadOnlyList<MetricRecord> Records { get; init; }

    public IReadOnlyList<MetricCurve> Curves { get; init; } = [];

    /// <summary>
    /// The resolved protocol in one line (masking space, substrate, score, ...), recorded with the
    /// results so that numbers computed under different protocols are never mixed up.
    /// </summary>
    public required string Protocol { get; init; }

    /// <summary>The value <paramref name="valueName"/> of every image in batch order (NaN where not defined).</summary>
    public double[] Values(string valueName)
    {
        var rows = Records.Where(r => r.ValueName == valueName).OrderBy(r => r.ImageIndex).ToList();
        if (rows.Count == 0)
            throw new ArgumentException($"No records named '{valueName}'; present: {string.Join(", ", Records.Select(r => r.ValueName).Distinct())}.");
        return rows.Select(r => r.Value).ToArray();
    }

    public MetricRecord Record(int imageIndex, string valueName) =>
        Records.Single(r => r.ImageIndex == imageIndex && r.ValueName == valueName);
}
