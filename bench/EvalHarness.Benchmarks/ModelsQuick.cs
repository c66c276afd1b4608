using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using EvalHarness.Engine.Gemm;

namespace EvalHarness.Benchmarks;

/// <summary>
/// `--models-quick`: times whole networks with a Stopwatch after a warm-up, the rows of
/// bench/pytorch_reference.py (same timing loop: calls until --min-seconds have passed and at least three
/// ran; the warm-up runs one image for --warmup-seconds (3) and at least 5 times so that the JIT has
/// recompiled the hot methods, then the batch once), and prints one JSON object per row with the same fields plus the effective
/// GFLOP/s (direct-convolution FLOPs over the time) and the process's peak working set.
/// Options: --models vgg16,resnet50,squeezenet1_0 --batches 1,16 --modes forward,forward+input-grad
/// --min-seconds 3 --gemm PROVIDER --threads N (GEMM threads; default the processor count);
/// --profile [--profile-runs 2] prints the time per layer instead (<see cref="LayerProfile"/>).
/// The peak working set is the whole process's high-water mark so far: run one row per process
/// (as bench/compare.sh does) to attribute it to that row.
/// </summary>
public static class ModelsQuick
{
    public static int Run(string[] args)
    {
        var models = Option(args, "--models", "vgg16,resnet50,squeezenet1_0").Split(',');
        var batches = Option(args, "--batches", "1,16").Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray();
        var modes = Option(args, "--modes", string.Join(',', ModelWork.Modes)).Split(',');
        double minSeconds = double.Parse(Option(args, "--min-seconds", "3"), CultureInfo.InvariantCulture);
        int threads = int.Parse(Option(args, "--threads", "0"), CultureInfo.InvariantCulture);
        string provider = Option(args, "--gemm", "auto");
        double warmSeconds = double.Parse(Option(args, "--warmup-seconds", "3"), CultureInfo.InvariantCulture);
        int profile = args.Contains("--profile") ? int.Parse(Option(args, "--profile-runs", "2"), CultureInfo.InvariantCulture) : 0;
        var gemm = GemmProvider.Use(provider);
        if (gemm is ManagedGemm managed) managed.Threads = threads;
        else if (gemm is OpenBlasGemm blas) blas.SetThreads(threads);
        int gemmThreads = gemm switch
        {
            ManagedGemm m => m.Threads,
            OpenBlasGemm b => b.Threads,
            _ => 1,
        };

        foreach (var model in models)
        {
            foreach (var mode in modes)
            {
                foreach (int batch in batches)
                {
                    var work = new ModelWork(model, mode, batch);
                    // Warm-up to the steady state of a long run: .NET compiles methods first without
                    // optimisation and recompiles the ones called often (30 calls, then after 100 ms without
                    // new compilations), so run one image for a few seconds, then the batch once (pooled
                    // buffers, packed weights).
                    var one = work.Input.SliceBatch(0, 1);
                    var warm = Stopwatch.StartNew();
                    for (int i = 0; i < 5 || warm.Elapsed.TotalSeconds < warmSeconds; i++) work.Run(one);
                    work.Run();
                    if (profile > 0)
                    {
                        LayerProfile.Run(work, profile);
                        continue;
                    }
                    int runs = 0;
                    double cpu0 = CpuClock.Seconds();
                    var pause0 = GC.GetTotalPauseDuration();
                    int gen2 = GC.CollectionCount(2);
                    var watch = Stopwatch.StartNew();
                    double elapsed;
                    while (true)
                    {
                        work.Run();
                        runs++;
                        elapsed = watch.Elapsed.TotalSeconds;
                        if (elapsed >= minSeconds && runs >= 3) break;
                    }
                    double seconds = elapsed / runs, cpuSeconds = (CpuClock.Seconds() - cpu0) / runs;
                    using var process = Process.GetCurrentProcess();
                    process.Refresh();
                    var row = new Dictionary<string, object>
                    {
                        ["engine"] = "evalharness-" + gemm.Name,
                        ["model"] = model,
                        ["mode"] = mode,
                        ["batch"] = batch,
                        ["ms_per_image"] = Math.Round(seconds / batch * 1000.0, 3),
                        ["cpu_ms_per_image"] = Math.Round(cpuSeconds / batch * 1000.0, 3),
                        ["runs"] = runs,
                        ["gc_pause_pct"] = Math.Round(100 * (GC.GetTotalPauseDuration() - pause0).TotalSeconds / elapsed, 1),
                        ["gen2_gcs_per_run"] = Math.Round((GC.CollectionCount(2) - gen2) / (double)runs, 2),
                        ["threads"] = gemmThreads,
                        ["gflops"] = Math.Round(work.Flops / seconds / 1e9, 1),
                        ["gflop_per_image"] = Math.Round(work.Flops / batch / 1e9, 3),
                        ["peak_working_set_mb"] = Math.Round(process.PeakWorkingSet64 / 1048576.0, 0),
                        ["gc_heap_mb"] = Math.Round(GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0, 0),
                    };
                    Console.WriteLine(JsonSerializer.Serialize(row, JsonOptions));
                }
            }
        }
        return 0;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Option(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        if (i < 0) return fallback;
        if (i + 1 >= args.Length) throw new ArgumentException($"{name} needs a value.");
        return args[i + 1];
    }
}
