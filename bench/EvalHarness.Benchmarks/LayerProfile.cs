using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using EvalHarness.Engine.Nn;
using EvalHarness.Engine;
using Tensor = EvalHarness.Engine.Tensor;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Benchmarks;

/// <summary>
/// `--models-quick --profile`: runs a row's work node by node (as <see cref="Execution"/> does) with a
/// Stopwatch around every layer call, and prints the time per layer configuration and input size,
/// forward and backward separately, largest first. For finding what to optimise, not for comparison.
/// </summary>
public static class LayerProfile
{
    public static void Run(ModelWork work, int runs)
    {
        var totals = new Dictionary<string, (double Seconds, double Cpu, double Flops, int Calls)>();
        var shapes = work.Graph.InferShapes(work.Input.ShapeArray);
        double all = 0, cpu = 0;
        for (int r = 0; r < runs; r++)
        {
            var (wall, used) = Once(work, shapes, totals);
            all += wall;
            cpu += used;
        }
        Console.WriteLine($"# {work.Model} {work.Mode} batch {work.Batch}: {all / runs * 1000 / work.Batch:F1} ms per image (CPU {cpu / runs * 1000 / work.Batch:F1} ms) over {runs} runs; per layer configuration:");
        Console.WriteLine($"# {"ms/img",8} {"CPU ms",8} {"share",6} {"GFLOP/s",8} {"calls",5}  layer  (GFLOP/s of CPU time / 2)");
        foreach (var (key, v) in totals.OrderByDescending(kv => kv.Value.Cpu))
        {
            double ms = v.Seconds / runs * 1000 / work.Batch;
            double cpuMs = v.Cpu / runs * 1000 / work.Batch;
            string rate = v.Flops > 0 ? (v.Flops / (v.Cpu / 2) / 1e9).ToString("F1", CultureInfo.InvariantCulture) : "";
            Console.WriteLine($"  {ms,8:F2} {cpuMs,8:F2} {100 * v.Cpu / cpu,5:F1}% {rate,8} {v.Calls / runs,5}  {key}");
        }
    }

    private static (double Wall, double Cpu) Once(ModelWork work, int[][] shapes, Dictionary<string, (double, double, double, int)> totals)
    {
        var nodes = work.Graph.Nodes;
        var outputs = new Tensor?[nodes.Count];
        Tensor Get(int i) => i < 0 ? work.Input : outputs[i]!;
        double total = 0, cpuTotal = 0;
        foreach (var node in nodes)
        {
            var args = node.Inputs.Select(Get).ToList();
            double c0 = CpuClock.Seconds();
            long t0 = Stopwatch.GetTimestamp();
            outputs[node.Index] = node.Layer.Forward(args);
            double s = Stopwatch.GetElapsedTime(t0).TotalSeconds, c = CpuClock.Seconds() - c0;
            total += s;
            cpuTotal += c;
            Add(totals, "fwd " + Describe(node, args), s, c, Flops(node.Layer, shapes[node.Index]));
        }
        if (work.Mode == ModelWork.Forward) return (total, cpuTotal);

        var logits = outputs[^1]!;
        int classes = logits.Dim(1);
        var seed = new Tensor(logits.ShapeArray);
        for (int n = 0; n < logits.N; n++)
        {
            var row = logits.Data.AsSpan(n * classes, classes);
            seed.Data[n * classes + TensorPrimitives.IndexOfMax(row)] = 1f;
        }
        var grads = new Tensor?[nodes.Count];
        grads[^1] = seed;
        for (int j = nodes.Count - 1; j >= 0; j--)
        {
            var node = nodes[j];
            var grad = grads[j];
            if (grad is null) continue;
            var args = node.Inputs.Select(Get).ToList();
            var need = node.Inputs.Select(_ => true).ToList();
            double c0 = CpuClock.Seconds();
            long t0 = Stopwatch.GetTimestamp();
            var inGrads = node.Layer.Backward(args, outputs[j]!, grad, need, false);
            for (int k = 0; k < node.Inputs.Count; k++)
            {
                int i = node.Inputs[k];
                if (i < 0 || inGrads[k] is not { } g) continue;
                if (grads[i] is { } existing)
                {
                    var sum = Tensor.Uninitialized(existing.ShapeArray);
                    TensorPrimitives.Add(existing.Data, g.Data, sum.Data);
                    grads[i] = sum;
                }
                else
                {
                    grads[i] = g;
                }
            }
            double s = Stopwatch.GetElapsedTime(t0).TotalSeconds, c = CpuClock.Seconds() - c0;
            total += s;
            cpuTotal += c;
            Add(totals, "bwd " + Describe(node, args), s, c, Flops(node.Layer, shapes[node.Index]));
        }
        return (total, cpuTotal);
    }

    private static string Describe(Node node, List<Tensor> args) =>
        $"{node.Layer} on {string.Join(", ", args.Select(a => a.ShapeString))}";

    private static double Flops(Layer layer, int[] output) => layer switch
    {
        Conv2d c => 2.0 * output[0] * output[1] * output[2] * output[3] * (c.InChannels / c.Groups) * c.KernelSize.H * c.KernelSize.W,
        Linear l => 2.0 * output[0] * l.InFeatures * l.OutFeatures,
        _ => 0,
    };

    private static void Add(Dictionary<string, (double Seconds, double Cpu, double Flops, int Calls)> totals, string key, double seconds, double cpu, double flops)
    {
        totals.TryGetValue(key, out var v);
        totals[key] = (v.Seconds + seconds, v.Cpu + cpu, v.Flops + flops, v.Calls + 1);
    }
}
