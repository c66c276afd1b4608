namespace EvalHarness.Reports.Tables;

/// <summary>
/// The paper-style table of a run: one row per method, one column per headline metric value, each cell
/// mean ± half-width of the 95% interval. Free of any console library, so the CLI can render it with
/// Spectre.Console and the reports as markdown and HTML.
/// </summary>
public sealed record SummaryTable(
    IReadOnlyList<SummaryColumn> Columns, IReadOnlyList<SummaryTableRow> Rows, IReadOnlyList<string> Notes)
{
    public bool IsEmpty => Rows.Count == 0 || Columns.Count == 0;
}

/// <summary>A headline value of a metric; <see cref="Arrow"/> is ↑ (higher is better), ↓ (lower) or empty.</summary>
public sealed record SummaryColumn(string Metric, string ValueName, string Direction, int Decimals)
{
    public string Arrow => Direction switch { "higher" => "↑", "lower" => "↓", _ => "" };

    /// <summary>"deletion auc ↓"; the value name is left out when it repeats the metric's name.</summary>
    public string Header => (ValueName == Metric || ValueName.Length == 0 ? Metric : $"{Metric} {ValueName}") + (Arrow.Length > 0 ? " " + Arrow : "");

    public string Key => Metric + "/" + ValueName;
}

/// <summary>A method's row: <see cref="Images"/> is the largest number of images any of its cells covers (defined + not defined).</summary>
public sealed record SummaryTableRow(string Method, int Images, IReadOnlyList<SummaryCell?> Cells);

/// <summary>
/// One cell: <see cref="Text"/> is "mean ± half-width" in the column's decimals; <see cref="Best"/> marks the best mean
/// of the column (all tied ones); <see cref="Rank"/> is 1 for the best (average rank for ties, NaN when the column has
/// no direction or the mean is not defined); <see cref="Note"/> numbers the footnote on images without a value.
/// </summary>
public sealed record SummaryCell(double Mean, double HalfWidth, int N, int NotDefined, bool Best, double Rank, string Text, int? Note);
