using System.CommandLine;
using EvalHarness.Engine;
using EvalHarness.Reports;

namespace EvalHarness.Cli;

/// <summary><c>evalharness report &lt;dir&gt;</c>: rebuilds summary.md, plots/, maps/ and report.html of a results folder and prints the table.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("results") { Description = "A results folder (run.json, per_image.csv, summary.csv, ...)." };
        var history = new Option<string?>("--history") { Description = "The history database to draw (default: history.sqlite beside the run folder, when it exists)." };
        var maxMaps = new Option<int>("--max-maps") { Description = "At most this many gallery images get a maps/*.png.", DefaultValueFactory = _ => new ReportOptions().MaxMaps };
        var command = new Command("report", "Write the reports of a results folder: summary.md, plots/*.svg, maps/*.png, report.html.") { dir, history, maxMaps };
        command.SetGuardedAction((parse, output, error) =>
        {
            string folder = parse.GetValue(dir)!;
            int max = parse.GetValue(maxMaps);
            if (max < 0) throw new EvalHarnessException($"--max-maps must be 0 or more, not {max}.");
            string? db = parse.GetValue(history);
            if (db is not null && !File.Exists(db)) throw new EvalHarnessException($"--history '{db}' does not exist.");
            var written = ReportWriter.WriteAll(folder, new ReportOptions { HistoryDb = db, MaxMaps = max });
            var console = ConsoleTables.For(output);
            ConsoleTables.Write(console, written.Table, written.RunName);
            output.WriteLine($"wrote {written.Files.Count} files to {folder}: {string.Join(", ", Summarise(written.Files))}" + (written.HistoryDb is { } h ? $" (history from {h})" : ""));
            return 0;
        });
        return command;
    }

    private static IEnumerable<string> Summarise(IReadOnlyList<string> files)
    {
        foreach (var group in files.GroupBy(f => f.Contains('/') ? f[..f.IndexOf('/')] + "/" : f))
            yield return group.Count() == 1 && !group.Key.EndsWith('/') ? group.Key : $"{group.Key} ({group.Count()})";
    }
}
