namespace EvalHarness.Reports.Compare;

/// <summary>
/// One method × metric value in both runs. <see cref="Delta"/> is candidate − baseline: the mean paired difference
/// over the images both runs have a value for, or the difference of the summary means when there are no shared
/// per-image values. <see cref="Worsening"/> is the delta turned so that positive means worse (direction-aware).
/// </summary>
public sealed record ComparisonRow(
    string Method, string Metric, string ValueName, string Direction, bool Headline,
    double BaselineMean, double CandidateMean, int Paired, double Delta, double Worsening,
    double TTestP, double WilcoxonP, double CohenDz,
    int BaselineNotDefined, int CandidateNotDefined, double Tolerance, string ToleranceText, Verdict Verdict);

public enum Verdict
{
    /// <summary>No direction: bookkeeping values are shown, never judged.</summary>
    NotJudged,
    Unchanged,
    Improved,
    /// <summary>Worse, but not beyond the tolerance.</summary>
    WithinTolerance,
    Regressed,
}
