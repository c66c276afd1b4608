namespace EvalHarness.Reports.Results;

/// <summary>
/// One row of curves.csv: the mean over images of a per-image curve (insertion, deletion) at one step.
/// </summary>
/// <param name="Step">0 is the unchanged start image.</param>
/// <param name="X">Fraction of pixels changed at this step (0 … 1).</param>
/// <param name="MeanY">Mean score at this step over the <paramref name="N"/> images with a curve.</param>
/// <param name="StandardError">s/√n of the scores at this step (NaN when n &lt; 2).</param>
public sealed record CurveRow(string Method, string Metric, int Step, double X, double MeanY, double StandardError, int N);
