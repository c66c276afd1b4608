using System.Diagnostics;
using System.Globalization;
using EvalHarness.Engine.Gemm;

namespace EvalHarness.Benchmarks;

/// <summary>
/// `--gemm-quick`: times every shape with a Stopwatch after a warm-up, providers back to back, and
/// prints GFLOP/s (median and best call). For fast iteration; BenchmarkDotNet gives the careful figures.
/// Options: --threads N, --filter TEXT, --seconds S (per provider and shape), --kernel NAME, --kc N, --nc N.
/// </summary>
public static class GemmQuick
{
    public static int Run(string[] args)
    {
        int threads = Option(args, "--threads", 0);
        double seconds = Option(args, "--seconds", 1.0);
        string filter = Option(args, "--filter", "");
        var managed = CreateManaged(args, threads);
        var providers = new List<(string Name, IGemm Gemm, bool Packed)>
        {
            ("managed", managed, false),
            ("managed+packed", managed, true),
        };
        if (OpenBlasGemm.TryCreate(out var blas))
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
            foreach (var (_, gemm, packed) in providers)
            {
                if (packed && shape.Constant is null)
                {
                    Console.Write($" {"-",18}");
                    continue;
                }
                var (median, best) = Time(() => problem.Run(gemm, packed), seconds);
                Console.Write($" {Gflops(shape, median),8:F1} ({Gflops(shape, best),6:F1})".PadLeft(19));
            }
            Console.WriteLine();
        }
        return 0;
    }

    private static ManagedGemm CreateManaged(string[] args, int threads)
    {
        string kernelName = Option(args, "--kernel", "");
        int kc = Option(args, "--kc", 0), nc = Option(args, "--nc", 0);
        if (kernelName == "" && kc == 0 && nc == 0) return new ManagedGemm(threads);
        var kernel = kernelName == "" ? MicroKernel.Best
            : MicroKernel.All.FirstOrDefault(k => k.Name.Contains(kernelName, StringComparison.OrdinalIgnoreCase))
              ?? throw new ArgumentException($"Unknown kernel '{kernelName}'. Kernels: {string.Join(", ", MicroKernel.All.Select(k => k.Name))}.");
        return new ManagedGemm(threads, kernel.WithBlocking(kc, nc));
    }

    private static double Gflops(GemmShape shape, double seconds) => shape.Flops / seconds / 1e9;

    private static (double Median, double Best) Time(Action action, double seconds)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 2 || watch.Elapsed.TotalSeconds < Math.Min(0.3, seconds / 3); i++) action();
        var times = new List<double>();
        watch.Restart();
        while (times.Count < 3 || watch.Elapsed.TotalSeconds < seconds)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        times.Sort();
        return (times[times.Count / 2], times[0]);
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
