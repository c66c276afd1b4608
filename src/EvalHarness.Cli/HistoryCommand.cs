using System.CommandLine;
using System.Globalization;
using EvalHarness.Engine;
using EvalHarness.Reports.History;
using Spectre.Console;

namespace EvalHarness.Cli;

/// <summary><c>evalharness history</c>: the trend of the headline values over the runs in results/history.sqlite.</summary>
internal static class HistoryCommand
{
    public static Command Create()
    {
        var metric = new Option<string?>("--metric") { Description = "Only this metric (default: every headline metric)." };
        var db = new Option<string>("--db") { Description = "The history database.", DefaultValueFactory = _ => Path.Combine("results", HistoryStore.FileName) };
        var name = new Option<string?>("--name") { Description = "Only runs of this name." };
        var last = new Option<int>("--last") { Description = "Only the last N runs.", DefaultValueFactory = _ => 20 };
        var command = new Command("history", "Print the trend of each method's headline values over the recorded runs.") { metric, db, name, last };
        command.SetGuardedAction((parse, output, error) =>
        {
            string path = parse.GetValue(db)!;
            int lastN = parse.GetValue(last);
            if (lastN < 1) throw new EvalHarnessException($"--last must be at least 1, not {lastN}.");
            if (!File.Exists(path))
                throw new EvalHarnessException($"There is no history at '{path}': every run appends its summary there; give --db for another file.");
            using var store = new HistoryStore(path);
            string? m = parse.GetValue(metric);
            if (m is not null && !store.Metrics().Contains(m, StringComparer.Ordinal))
                throw new UnknownNameException(NameMatcher.UnknownMessage("metric in the history", m, store.Metrics()));
            var points = store.Points(parse.GetValue(name), m);
            if (points.Count == 0)
            {
                output.WriteLine($"The history at {path} holds no runs" + (parse.GetValue(name) is { } n ? $" named '{n}'." : "."));
                return 0;
            }
            var console = ConsoleTables.For(output);
            foreach (var g in points.GroupBy(p => (p.Metric, p.ValueName)))
            {
                var runs = g.Select(p => (p.RunKey, p.StartedUtc, p.GitCommit, p.Name)).Distinct().OrderBy(r => r.StartedUtc).ToList().TakeLast(lastN).ToList();
                var methods = g.Select(p => p.Method).Distinct().ToList();
                string arrow = g.First().Direction switch { "higher" => " ↑", "lower" => " ↓", _ => "" };
                var table = new Table { Title = new TableTitle(Markup.Escape($"{g.Key.Metric} {g.Key.ValueName}{arrow}")), Border = TableBorder.Rounded };
                table.AddColumn("run (UTC)");
                table.AddColumn("commit");
                foreach (var method in methods) table.AddColumn(new TableColumn(Markup.Escape(method)).RightAligned());
                foreach (var run in runs)
                {
                    var cells = new List<string> { run.StartedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), Markup.Escape(run.GitCommit is { Length: > 0 } c ? c[..Math.Min(10, c.Length)] : "–") };
                    cells.AddRange(methods.Select(method => g.FirstOrDefault(p => p.RunKey == run.RunKey && p.Method == method) is { } p ? Value(p.Mean) : "–"));
                    table.AddRow(cells.ToArray());
                }
                var trend = new List<string> { "[italic]change[/]", "" };
                foreach (var method in methods)
                {
                    var values = runs.Select(r => g.FirstOrDefault(p => p.RunKey == r.RunKey && p.Method == method)?.Mean ?? double.NaN).Where(double.IsFinite).ToList();
                    trend.Add(values.Count >= 2 ? Markup.Escape((values[^1] - values[0] >= 0 ? "+" : "") + Value(values[^1] - values[0])) : "–");
                }
                table.AddRow(trend.ToArray());
                console.Write(table);
            }
            return 0;
        });
        return command;
    }

    private static string Value(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.0000", CultureInfo.InvariantCulture);
}
