using System.Text;
using EvalHarness.Reports.Results;

namespace EvalHarness.Reports.Tables;

/// <summary>summary.md: the run's facts, the paper-style table with its notes, the timings and the run's notes.</summary>
public static class SummaryMarkdown
{
    public static string Write(RunResults results, SummaryTable table)
    {
        var md = new StringBuilder();
        md.Append("# ").Append(Escape(results.Info.Name)).Append("\n\n");
        foreach (var (label, value) in RunFacts.Of(results))
            md.Append("- **").Append(label).Append("**: ").Append(Escape(value)).Append('\n');
        md.Append('\n');
        md.Append("## Results\n\n");
        md.Append(Table(table));
        md.Append("\nMean ± half-width of the 95% Student-t interval over the images with a value; ↑ higher is better, ↓ lower is better; the best mean of each column in bold.\n");
        if (table.Notes.Count > 0)
        {
            md.Append('\n');
            for (int i = 0; i < table.Notes.Count; i++)
                md.Append('[').Append(Num.Int(i + 1)).Append("] ").Append(Escape(table.Notes[i])).Append("  \n");
        }
        var timings = RunFacts.Timings(results);
        if (timings.Count > 0)
        {
            md.Append("\n## Timings\n\n");
            md.Append(Markdown(RunFacts.TimingHeader, timings, rightAligned: [false, false, true, true, true]));
        }
        if (results.Info.Notes.Count > 0)
        {
            md.Append("\n## Notes\n\n");
            foreach (var note in results.Info.Notes) md.Append("- ").Append(Escape(note)).Append('\n');
        }
        return md.ToString();
    }

    /// <summary>The table alone: method, n, then one column per headline value; best in bold, footnote markers [k].</summary>
    public static string Table(SummaryTable table)
    {
        if (table.IsEmpty) return "_No results: summary.csv holds no headline values._\n";
        var header = new List<string> { "method", "n" };
        header.AddRange(table.Columns.Select(c => c.Header));
        var rows = table.Rows.Select(r =>
        {
            var cells = new List<string> { Escape(r.Method), Num.Int(r.Images) };
            cells.AddRange(r.Cells.Select(c => c is null ? "–" : (c.Best ? $"**{c.Text}**" : c.Text) + (c.Note is { } k ? $" [{Num.Int(k)}]" : "")));
            return cells.ToArray();
        }).ToList();
        return Markdown(header.Select(Escape).ToArray(), rows, [false, .. Enumerable.Repeat(true, header.Count - 1)]);
    }

    /// <summary>A GitHub-flavoured markdown table.</summary>
    public static string Markdown(IReadOnlyList<string> header, IReadOnlyList<string[]> rows, IReadOnlyList<bool> rightAligned)
    {
        var md = new StringBuilder();
        md.Append("| ").Append(string.Join(" | ", header)).Append(" |\n|");
        for (int i = 0; i < header.Count; i++) md.Append(rightAligned[i] ? "---:|" : "---|");
        md.Append('\n');
        foreach (var row in rows) md.Append("| ").Append(string.Join(" | ", row)).Append(" |\n");
        return md.ToString();
    }

    /// <summary>Escapes the characters that would break a markdown table cell or start formatting.</summary>
    public static string Escape(string text) =>
        text.Replace("\\", "\\\\").Replace("|", "\\|").Replace("*", "\\*").Replace("_", "\\_").Replace("\n", " ");
}
