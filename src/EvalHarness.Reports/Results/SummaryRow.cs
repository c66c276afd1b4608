namespace EvalHarness.Reports.Results;

/// <summary>
/// One row of summary.csv: method × metric × value over the run's images. Mean of the defined values,
/// standard error s/√n, 95% Student-t interval; <see cref="NotDefined"/> counts images without a value.
/// </summary>
/// <param name="Direction">"higher", "lower" or "none" (bookkeeping values).</param>
/// <param name="Headline">True for the metric's first declared value, the one tables show.</param>
public sealed record SummaryRow(
    string Method, string Metric, string ValueName, string Direction, bool Headline,
    double Mean, double StandardError, double Ci95Low, double Ci95High, int N, int NotDefined);
