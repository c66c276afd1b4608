using System.Globalization;
using EvalHarness.Harness.Running;
using Spectre.Console;

namespace EvalHarness.Cli;

/// <summary>Live progress on a terminal: one bar per method with its throughput (images/s) and the time left.</summary>
internal sealed class SpectreProgress(ProgressContext context) : IRunProgress
{
    private readonly Dictionary<string, (ProgressTask Task, PlainProgress.Counter Counter)> _tasks = [];

    public static T Run<T>(Func<IRunProgress, T> body)
    {
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => result = body(new SpectreProgress(ctx)));
        return result;
    }

    public void Start(string directory, IReadOnlyList<string> methods, int images)
    {
        foreach (var m in methods) _tasks[m] = (context.AddTask(Markup.Escape(m), maxValue: images), new PlainProgress.Counter());
    }

    public void Advance(string method, int images, bool fromStore)
    {
        var (task, c) = _tasks[method];
        c.Done += images;
        if (fromStore) c.Stored += images;
        else c.Computed += images;
        double rate = c.Computed / Math.Max(c.Clock.Elapsed.TotalSeconds, 1e-9);
        task.Description = Markup.Escape(method) + (c.Computed > 0 ? string.Create(CultureInfo.InvariantCulture, $" [grey]{rate:0.00} img/s[/]") : "");
        task.Increment(images);
    }

    public void Info(string line) => AnsiConsole.MarkupLine(Markup.Escape(line));
}
