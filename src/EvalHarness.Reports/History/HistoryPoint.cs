namespace EvalHarness.Reports.History;

/// <summary>One summary value of one run in the history (NaN for a mean that was not defined).</summary>
public sealed record HistoryPoint(
    string RunKey, string Name, DateTimeOffset StartedUtc, string? GitCommit, string ConfigHash,
    string Method, string Metric, string ValueName, string Direction, bool Headline,
    double Mean, double Ci95Low, double Ci95High, int N, int NotDefined);
