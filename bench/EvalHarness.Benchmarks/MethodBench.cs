using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EvalHarness.Engine;
using EvalHarness.Engine.Io;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Metrics;
using EvalHarness.Metrics.Faithfulness;
using EvalHarness.Models;
using EvalHarness.Saliency;

namespace EvalHarness.Benchmarks;

/// <summary>
/// `--methods`: times saliency methods per image (batch 1, eh-init-v1 weights, seed 0) on vgg16,
/// resnet50 and squeezenet1_0 at 224×224, writes the input, each map and one JSON line per row into
/// --out, for bench/reference_methods.py to time the reference implementations on the same input and
/// compare maps (bench/compare-methods.sh runs both). `--causal` times deletion + insertion (RISE
/// protocol) of one image on resnet50 against the batched forward passes it needs.
/// Options: --out DIR (required), --models a,b, --only m1,m2, --min-seconds S (per row, default 3),
/// --rise-masks N (default 500), --causal, --input-seed N (the input's eh-init-v1 seed, default 1: e.g. to see whether a
/// map difference depends on the input).
/// </summary>
public static class MethodBench
{
    /// <summary>Benchmark name → (catalog name, parameters). Parameters chosen so the reference computes the same map.</summary>
    public static readonly (string Name, string Method, Dictionary<string, string>? Parameters)[] Rows =
    [
        ("gradcam", "gradcam", null),
        ("gradcam++", "gradcam++", null),
        ("xgradcam", "xgradcam", null),
        ("layercam", "layercam", null),
        ("ablationcam", "ablationcam", null),
        ("scorecam", "scorecam", new() { ["variant"] = "pytorch-grad-cam" }),
        ("liftcam", "liftcam", null),
        ("gradient", "gradient", new() { ["map"] = "abs-max" }),
        ("inputxgradient", "inputxgradient", new() { ["map"] = "abs-sum" }),
        ("integratedgradients", "integratedgradients", new() { ["steps"] = "50", ["map"] = "abs-sum" }),
        ("guidedbackprop", "guidedbackprop", new() { ["map"] = "abs-max" }),
        ("deconvnet", "deconvnet", new() { ["map"] = "abs-max" }),
        ("lrp", "lrp", new() { ["composite"] = "epsilon", ["epsilon"] = "1e-9", ["canonize"] = "false", ["map"] = "abs-sum" }),
        ("rise", "rise", null),
    ];

    public static readonly Dictionary<string, string> Layers = new()
    {
        ["vgg16"] = "features.29", ["resnet50"] = "layer4", ["squeezenet1_0"] = "features.12",
    };

    public static int Run(string[] args)
    {
        string outDir = Option(args, "--out", "");
        if (outDir == "") { Console.Error.WriteLine("--methods needs --out DIR"); return 2; }
        Directory.CreateDirectory(outDir);
        double minSeconds = double.Parse(Option(args, "--min-seconds", "3"), CultureInfo.InvariantCulture);
        _inputSeed = ulong.Parse(Option(args, "--input-seed", "1"), CultureInfo.InvariantCulture);
        int riseMasks = int.Parse(Option(args, "--rise-masks", "500"), CultureInfo.InvariantCulture);
        var models = Option(args, "--models", "vgg16,resnet50,squeezenet1_0").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var only = Option(args, "--only", "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        using var log = new StreamWriter(Path.Combine(outDir, "evalharness.jsonl"), append: true);
        if (args.Contains("--causal")) return Causal(outDir, minSeconds, log);

        foreach (var model in models)
        {
            var graph = ModelZoo.Create(model);
            DeterministicInit.Apply(graph, 0);
            var x = Input(outDir, model);
            var logits = graph.Forward(x, recordForBackward: false).Output;
            var row = logits.Sample(0).ToArray();
            int target = Array.IndexOf(row, row.Max());
            foreach (var (name, method, parameters) in Rows)
            {
                if (only.Count > 0 && !only.Contains(name)) continue;
                // The LRP row compares with Captum's LRP without a canonizer, which has no rule for batch norm (VGG16 only).
                if (name == "lrp" && model != "vgg16") continue;
                var p = parameters is null ? new Dictionary<string, string>() : new Dictionary<string, string>(parameters);
                if (name == "rise") p["masks"] = riseMasks.ToString(CultureInfo.InvariantCulture);
                var m = SaliencyCatalog.Create(method, p);
                var context = new ExplainContext { Graph = graph, TargetLayer = Layers[model], BatchSize = 16, Seed = 0 };
                SaliencyResult? result = null;
                var (ms, runs, spread) = Time(() => result = m.Explain(context, x, [target]), minSeconds);
                Npy.Write(Path.Combine(outDir, $"{model}__{name}.npy"), result!.Maps.Reshape(x.H, x.W));
                Emit(log, new { engine = "evalharness", model, method = name, target, ms_per_image = Math.Round(ms, 2), best_ms = Math.Round(_lastBestMs, 2), cpu_ms = Math.Round(_lastCpuMs, 1), runs, spread = Math.Round(spread, 3) });
            }
        }
        return 0;
    }

    /// <summary>Seed of the benchmark input (--input-seed; 1 by default).</summary>
    private static ulong _inputSeed = 1;

    /// <summary>The benchmark input of a model, 1×3×224×224 (eh-init-v1 "input", seed 1 or --input-seed), also written as input_MODEL.npy.</summary>
    private static Tensor Input(string outDir, string model)
    {
        var x = DeterministicInit.Create("input", [1, 3, 224, 224], _inputSeed);
        Npy.Write(Path.Combine(outDir, $"input_{model}.npy"), x);
        return x;
    }

    /// <summary>Factor on resnet50's fc weight and bias in the deletion + insertion benchmark (a power of two: exact).</summary>
    private const float CausalLogitScale = 1f / 256;

    /// <summary>Deletion + insertion of one image on resnet50 against the same number of plain batched forward passes.</summary>
    private static int Causal(string outDir, double minSeconds, StreamWriter log)
    {
        var graph = ModelZoo.Create("resnet50");
        DeterministicInit.Apply(graph, 0);
        // eh-init-v1 logits are in the thousands, so every softmax score would be 1.0 and the two curves would
        // agree trivially; fc scaled by 2^-8 (exact in float32; reference_methods.py does the same) gives
        // probabilities that move along the curves.
        foreach (var name in new[] { "fc.weight", "fc.bias" })
        {
            var data = graph.StateDict()[name].Value.Data;
            System.Numerics.Tensors.TensorPrimitives.Multiply(data, CausalLogitScale, data);
        }
        var x = Input(outDir, "resnet50");
        var explain = new ExplainContext { Graph = graph, TargetLayer = "layer4", BatchSize = 16 };
        var logits = graph.Forward(x, recordForBackward: false).Output;
        var row = logits.Sample(0).ToArray();
        int target = Array.IndexOf(row, row.Max());
        var map = SaliencyCatalog.Create("gradcam").Explain(explain, x, [target]).Maps;
        Npy.Write(Path.Combine(outDir, "causal_map.npy"), map.Reshape(x.H, x.W));
        var context = new MetricContext { Graph = graph, Images = x, Targets = [target], Maps = map, BatchSize = 16 };
        MetricBatchResult? del = null, ins = null;
        void Metric()
        {
            del = new Deletion().Evaluate(context);
            ins = new Insertion().Evaluate(context);
        }
        Metric();
        int passes = del!.Curves[0].Y.Length + ins!.Curves[0].Y.Length;
        var item = x.ShapeArray[1..];
        void ForwardOnly() => BatchedModel.Run(explain, passes, item, (i, dst) => x.Data.AsSpan().CopyTo(dst));
        // Each call takes 10–20 s, long enough for the machine's clock and load to drift: the metric and the plain
        // forward passes are timed in alternation (after a warm-up of each), so that drift falls on both alike.
        ForwardOnly();
        int rounds = Math.Max(2, (int)Math.Ceiling(minSeconds / 10));
        var (metricTimes, metricCpus, forwardTimes, forwardCpus) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        for (int r = 0; r < rounds; r++)
        {
            var (ms, cpu) = TimeOnce(Metric);
            metricTimes.Add(ms);
            metricCpus.Add(cpu);
            (ms, cpu) = TimeOnce(ForwardOnly);
            forwardTimes.Add(ms);
            forwardCpus.Add(cpu);
        }
        double metricMs = Median(metricTimes), metricCpu = Median(metricCpus), forwardMs = Median(forwardTimes), forwardCpu = Median(forwardCpus);
        int runs = rounds, fruns = rounds;
        double spread = (metricTimes.Max() - metricTimes.Min()) / metricMs, fspread = (forwardTimes.Max() - forwardTimes.Min()) / forwardMs;
        File.WriteAllText(Path.Combine(outDir, "causal_evalharness.json"), JsonSerializer.Serialize(new
        {
            target, deletion_auc = del.Values("auc")[0], insertion_auc = ins.Values("auc")[0],
            deletion_scores = del.Curves[0].Y, insertion_scores = ins.Curves[0].Y,
        }));
        Emit(log, new { engine = "evalharness", model = "resnet50", method = "deletion+insertion", target, ms_per_image = Math.Round(metricMs, 1), cpu_ms = Math.Round(metricCpu, 1), runs, spread = Math.Round(spread, 3),
            forward_passes = passes, forward_only_ms = Math.Round(forwardMs, 1), forward_only_cpu_ms = Math.Round(forwardCpu, 1), forward_runs = fruns, forward_spread = Math.Round(fspread, 3),
            deletion_auc = del.Values("auc")[0], insertion_auc = ins.Values("auc")[0] });
        return 0;
    }

    /// <summary>Wall and process CPU ms of one call.</summary>
    private static (double Ms, double CpuMs) TimeOnce(Action action)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        action();
        double ms = clock.Elapsed.TotalMilliseconds;
        process.Refresh();
        return (ms, (process.TotalProcessorTime - cpu0).TotalMilliseconds);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Process CPU ms per call of the last <see cref="Time"/> (all threads; less sensitive to other processes than wall time).</summary>
    private static double _lastCpuMs;

    /// <summary>The fastest call of the last <see cref="Time"/>: other work on the machine only ever slows a call, so the
    /// fastest is the least disturbed (reported beside the median).</summary>
    private static double _lastBestMs;

    /// <summary>
    /// Median ms of calls after warm-up calls, at least 1 run and until minSeconds; spread = (max − min)/median;
    /// the fastest call in <see cref="_lastBestMs"/>.
    /// A call under 2 s is warmed up until 5 calls and 2 s have passed: .NET compiles a method first without
    /// optimisation and recompiles it after about 30 calls, so the first method timed in a process otherwise
    /// pays for the JIT of the code it shares with the others (measured: ResNet-50 gradient 143 ms when timed
    /// first, 108 ms after guided backprop). A slower call is warmed up once; a call over 20 s is timed once.
    /// bench/reference_methods.py warms up the same way.
    /// </summary>
    private static (double Ms, int Runs, double Spread) Time(Action action, double minSeconds)
    {
        var process = Process.GetCurrentProcess();
        var cpuStart = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        action();
        double first = clock.Elapsed.TotalMilliseconds;
        for (int calls = 1; first < 2_000 && (calls < 5 || clock.Elapsed.TotalSeconds < 2); calls++) action();
        var times = new List<double>();
        if (first > 20_000) times.Add(first);
        var total = Stopwatch.StartNew();
        process.Refresh();
        var cpu0 = times.Count > 0 ? cpuStart : process.TotalProcessorTime;
        while (first <= 20_000 && (times.Count == 0 || (total.Elapsed.TotalSeconds < minSeconds && times.Count < 50) || times.Count < 3 && first < 5_000))
        {
            clock.Restart();
            action();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        process.Refresh();
        _lastCpuMs = (process.TotalProcessorTime - cpu0).TotalMilliseconds / times.Count;
        times.Sort();
        double median = times[times.Count / 2];
        _lastBestMs = times[0];
        return (median, times.Count, (times[^1] - times[0]) / median);
    }

    private static void Emit(StreamWriter log, object row)
    {
        var line = JsonSerializer.Serialize(row);
        Console.WriteLine(line);
        log.WriteLine(line);
        log.Flush();
    }

    private static string Option(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
