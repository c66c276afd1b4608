using System.Diagnostics;
using System.Globalization;
using EvalHarness.Harness.Running;

namespace EvalHarness.Cli;

/// <summary>Progress as plain lines (not a terminal, or --quiet): at most one line per method every few seconds, and one when it finishes.</summary>
internal sealed class PlainProgress(TextWriter output) : IRunProgress
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);
    private readonly Dictionary<string, Counter> _counters = [];
    private int _total;

    public void Start(string directory, IReadOnlyList<string> methods, int images)
    {
        _total = images;
        foreach (var m in methods) _counters[m] = new Counter();
        output.WriteLine($"running {images} image(s) × {methods.Count} method(s): {string.Join(", ", methods)}");
    }

    public void Advance(string method, int images, bool fromStore)
    {
        var c = _counters[method];
        c.Done += images;
        if (fromStore) c.Stored += images;
        else c.Computed += images;
        if (c.Done < _total && c.LastLine.IsRunning && c.LastLine.Elapsed < Every) return;
        c.LastLine.Restart();
        output.WriteLine(Line(method, c, _total));
    }

    public void Info(string line) => output.WriteLine(line);

    internal static string Line(string method, Counter c, int total)
    {
        var inv = CultureInfo.InvariantCulture;
        double rate = c.Computed / Math.Max(c.Clock.Elapsed.TotalSeconds, 1e-9);
        string eta = c.Done >= total ? "done" : rate > 0 ? $"ETA {TimeSpan.FromSeconds((total - c.Done) / rate):hh\\:mm\\:ss}" : "";
        return $"{method}: {c.Done}/{total} images" + (c.Stored > 0 ? $" ({c.Stored} from the store)" : "") +
            (c.Computed > 0 ? string.Create(inv, $", {rate:0.00} images/s") : "") + (eta.Length > 0 ? $", {eta}" : "");
    }

    internal sealed class Counter
    {
        public int Done;
        public int Stored;
        public int Computed;
        public readonly Stopwatch Clock = Stopwatch.StartNew();
        public readonly Stopwatch LastLine = new();
    }
}
