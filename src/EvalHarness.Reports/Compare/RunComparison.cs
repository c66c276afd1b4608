namespace EvalHarness.Reports.Compare;

/// <summary>
/// The comparison of a candidate run with a baseline: the rows for values both have, what only one has, how the
/// runs' configs and versions differ, and the image sets.
/// </summary>
public sealed record RunComparison
{
    public required string BaselineName { get; init; }

    public required string CandidateName { get; init; }

    public required IReadOnlyList<ComparisonRow> Rows { get; init; }

    /// <summary>"method / metric value" entries only the baseline has.</summary>
    public required IReadOnlyList<string> OnlyInBaseline { get; init; }

    public required IReadOnlyList<string> OnlyInCandidate { get; init; }

    /// <summary>How the runs differ in config, versions, model, dataset, methods and metrics ("what: baseline → candidate").</summary>
    public required IReadOnlyList<string> Differences { get; init; }

    public required int BaselineImages { get; init; }

    public required int CandidateImages { get; init; }

    public required int SharedImages { get; init; }

    public IEnumerable<ComparisonRow> Regressions => Rows.Where(r => r.Verdict == Verdict.Regressed);

    public bool HasRegression => Rows.Any(r => r.Verdict == Verdict.Regressed);
}
