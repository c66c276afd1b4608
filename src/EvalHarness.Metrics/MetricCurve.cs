namespace EvalHarness.Metrics;

/// <summary>A per-image curve, e.g. the insertion scores after each step.</summary>
/// <param name="ImageIndex">Index of the image in the batch.</param>
/// <param name="Metric">The metric that produced it.</param>
/// <param name="X">Abscissa, e.g. the fraction of pixels changed (0 … 1).</param>
/// <param name="Y">Ordinate, e.g. p^c after each step, starting with the unchanged start image.</param>
public sealed record MetricCurve(int ImageIndex, string Metric, double[] X, double[] Y);
