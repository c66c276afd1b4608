namespace EvalHarness.Metrics;

/// <summary>One named value a metric reports per image.</summary>
/// <param name="Name">Value name in records, e.g. "hit". A name ending in ":{layer}" stands for one value per layer ("spearman:fc").</param>
/// <param name="Direction">Which way the value improves.</param>
/// <param name="Description">What the value is, with its unit.</param>
public sealed record MetricOutput(string Name, MetricDirection Direction, string Description);
