using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using EvalHarness.Engine.Gemm;

namespace EvalHarness.Benchmarks;

/// <summary>
/// `--gemm-quick`: times every shape with a Stopwatch after a warm-up, providers back to back, and
/// prints GFLOP/s (median and best call). For fast iteration; BenchmarkDotNet gives the careful figures.
/// Providers take turns in rounds so that a busy machine slows them alike.
/// Options: --threads N, --filter TEXT, --seconds S (per provider and shape), --rounds R,
/// --no-openblas, --variants KERNEL:KC:NC,... (managed configurations to compare, for tuning),
/// --cpu-time (time by the process's CPU time divided by the thread count: on a machine busy with
/// other work this estimates the speed the product would have on idle cores).
/// </summary>
public static class GemmQuick
{
    public static int Run(string[] args)
    {
        int threads = Option(args, "--threads", 0);
        double seconds = Option(args, "--seconds", 1.0);
        string filter = Option(args, "--filter", "");
        int rounds = Option(args, "--rounds", 5);
        _cpuTime = args.Contains("--cpu-time");
        _threads = threads > 0 ? threads : Environment.ProcessorCount;
        var managed = new ManagedGemm(threads);
        var providers = new List<(string Name, IGemm Gemm, bool Packed)>();
        string variants = Option(args, "--variants", "");
        if (variants != "")
        {
            foreach (var v in variants.Split(','))
                providers.Add((v, CreateVariant(v, threads), false));
        }
        else
        {
            providers.Add(("managed", managed, false));
            providers.Add(("managed+packed", managed, true));
        }
        if (args.Contains("--no-openblas")) { }
        else if (OpenBlasGemm.TryCreate(out var blas))
        {
            blas!.SetThreads(threads > 0 ? threads : Environment.ProcessorCount);
            providers.Add(("openblas", blas, false));
        }
        else
        {
            Console.WriteLine($"# OpenBLAS not loaded: {OpenBlasGemm.LoadError}");
        }
        Console.WriteLine($"# managed kernel {managed.Kernel}, {managed.Threads} threads; {Environment.ProcessorCount} processors; GFLOP/s median (best) of calls over >= {seconds} s after warm-up");
        Console.Write($"{"shape",-22} {"M",5} {"N",6} {"K",6}");
        foreach (var p in providers) Console.Write($" {p.Name,18}");
        Console.WriteLine();
        foreach (var shape in GemmShape.ConvAndFc.Where(s => s.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)))
        {
            using var problem = new GemmProblem(shape);
            Console.Write($"{shape.Name,-22} {shape.M,5} {shape.N,6} {shape.K,6}");
            var times = providers.Select(_ => new List<double>()).ToArray();
            for (int i = 0; i < providers.Count; i++)
            {
                var (_, gemm, packed) = providers[i];
                if (!packed || shape.Constant is not null) Warm(() => problem.Run(gemm, packed), seconds);
            }
            for (int round = 0; round < rounds; round++)
            {
                for (int i = 0; i < providers.Count; i++)
                {
                    var (_, gemm, packed) = providers[i];
                    if (!packed || shape.Constant is not null) Time(() => problem.Run(gemm, packed), seconds / rounds, times[i]);
                }
            }
            for (int i = 0; i < providers.Count; i++)
            {
                if (times[i].Count == 0)
                {
                    Console.Write($" {"-",18}");
                    continue;
                }
                times[i].Sort();
                double median = times[i][times[i].Count / 2], best = times[i][0];
                Console.Write($" {Gflops(shape, median),8:F1} ({Gflops(shape, best),6:F1})".PadLeft(19));
            }
            Console.WriteLine();
        }
        return 0;
    }

    /// <summary>"12x32:384:640": a managed GEMM with that kernel, K block and column block (0 or missing = default).</summary>
    private static ManagedGemm CreateVariant(string spec, int threads)
    {
        var parts = spec.Split(':');
        var kernel = MicroKernel.All.FirstOrDefault(k => k.Name.EndsWith(parts[0], StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown kernel '{parts[0]}'. Kernels: {string.Join(", ", MicroKernel.All.Select(k => k.Name))}.");
        int kc = parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 0;
        int nc = parts.Length > 2 ? int.Parse(parts[2], CultureInfo.InvariantCulture) : 0;
        return new ManagedGemm(threads, kernel.WithBlocking(kc, nc));
    }

    private static double Gflops(GemmShape shape, double seconds) => shape.Flops / seconds / 1e9;

    private static bool _cpuTime;
    private static int _threads;

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>Wall seconds, or with --cpu-time the process's CPU seconds per thread.</summary>
    private static double Now()
    {
        if (!_cpuTime) return Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
        ClockGetTime(2 /* CLOCK_PROCESS_CPUTIME_ID */, out var t);
        return (t.Seconds + t.Nanoseconds * 1e-9) / _threads;
    }

    private static void Warm(Action action, double seconds)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 2 || watch.Elapsed.TotalSeconds < Math.Min(0.3, seconds / 3); i++) action();
    }

    private static void Time(Action action, double seconds, List<double> times)
    {
        var watch = Stopwatch.StartNew();
        int calls = 0;
        while (calls++ < 2 || watch.Elapsed.TotalSeconds < seconds)
        {
            double start = Now();
            action();
            times.Add(Now() - start);
        }
    }

    private static T Option<T>(string[] args, string name, T fallback) where T : IParsable<T>
    {
        int i = Array.IndexOf(args, name);
        if (i < 0) return fallback;
        if (i + 1 >= args.Length || !T.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value))
            throw new ArgumentException($"{name} needs a value of type {typeof(T).Name}.");
        return value;
    }
}
