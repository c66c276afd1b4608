namespace EvalHarness.Reports;

/// <summary>Choices for <see cref="ReportWriter.WriteAll(string, ReportOptions?)"/>.</summary>
public sealed record ReportOptions
{
    /// <summary>The history database to draw; null looks for history.sqlite beside the run folder (parent or grandparent).</summary>
    public string? HistoryDb { get; init; }

    /// <summary>At most this many gallery images get a maps/*.png (the gallery's first ones).</summary>
    public int MaxMaps { get; init; } = 24;
}
