using EvalHarness.Reports.Tables;

namespace EvalHarness.Reports;

/// <summary>What <see cref="ReportWriter.WriteAll(string, ReportOptions?)"/> wrote: the table (for the terminal) and the files, relative to the results folder.</summary>
public sealed record ReportOutput(string RunName, SummaryTable Table, IReadOnlyList<string> Files, string? HistoryDb);
