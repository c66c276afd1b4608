using EvalHarness.Reports.Tables;
using Spectre.Console;

namespace EvalHarness.Cli;

/// <summary>Spectre.Console rendering of the reports' tables onto the command's output writer.</summary>
internal static class ConsoleTables
{
    /// <summary>A console on <paramref name="output"/>: colours only on a real terminal, wide lines elsewhere.</summary>
    public static IAnsiConsole For(TextWriter output)
    {
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.No,
        });
        if (!terminal) console.Profile.Width = 200;
        return console;
    }

    /// <summary>The paper-style table: best values bold, footnotes under it.</summary>
    public static void Write(IAnsiConsole console, SummaryTable table, string title)
    {
        if (table.IsEmpty)
        {
            console.WriteLine("No results: summary.csv holds no headline values.");
            return;
        }
        var t = new Table { Title = new TableTitle(Markup.Escape(title)), Border = TableBorder.Rounded };
        t.AddColumn("method");
        t.AddColumn(new TableColumn("n").RightAligned());
        foreach (var c in table.Columns) t.AddColumn(new TableColumn(Markup.Escape(c.Header)).RightAligned());
        foreach (var r in table.Rows)
        {
            var cells = new List<string> { Markup.Escape(r.Method), r.Images.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            cells.AddRange(r.Cells.Select(c => c is null ? "–" : (c.Best ? $"[bold]{Markup.Escape(c.Text)}[/]" : Markup.Escape(c.Text)) + (c.Note is { } k ? $" [[{k}]]" : "")));
            t.AddRow(cells.ToArray());
        }
        console.Write(t);
        for (int i = 0; i < table.Notes.Count; i++) console.WriteLine($"[{i + 1}] {table.Notes[i]}");
    }
}
