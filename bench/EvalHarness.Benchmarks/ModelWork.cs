using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;
using EvalHarness.Models;

namespace EvalHarness.Benchmarks;

/// <summary>
/// One benchmark row's work: a zoo model with eh-init-v1 weights at 224×224, run forward
/// (not recording) or forward plus the backward pass to the input seeded one-hot at each row's argmax
/// (as bench/pytorch_reference.py does with y[arange(B), y.argmax(1)].sum().backward()).
/// </summary>
public sealed class ModelWork
{
    public const string Forward = "forward";
    public const string ForwardInputGrad = "forward+input-grad";

    public static IReadOnlyList<string> Modes { get; } = [Forward, ForwardInputGrad];

    public ModelWork(string model, string mode, int batch, ulong seed = 0)
    {
        if (!Modes.Contains(mode)) throw new ArgumentException($"Unknown mode '{mode}'; use {string.Join(" or ", Modes)}.");
        Model = model;
        Mode = mode;
        Batch = batch;
        Graph = ModelZoo.Create(model);
        DeterministicInit.Apply(Graph, seed);
        int size = ModelZoo.DefaultInputSize(model);
        Input = Tensor.Uninitialized(batch, 3, size, size);
        var rng = new Rng(seed + 1);
        for (int i = 0; i < Input.Length; i++) Input.Data[i] = (float)(rng.NextDouble() * 4 - 2);
        Flops = CountFlops(Graph, Input.ShapeArray) * (mode == Forward ? 1 : 2);
    }

    public string Model { get; }

    public string Mode { get; }

    public int Batch { get; }

    public Graph Graph { get; }

    public Tensor Input { get; }

    /// <summary>
    /// Floating-point operations of the convolutions and linear layers as direct products (2 per
    /// multiply-add); the backward pass to the input costs as much again. Fast algorithms (Winograd)
    /// do fewer, so GFLOP/s from this count is an effective rate.
    /// </summary>
    public double Flops { get; }

    public void Run() => Run(Input);

    /// <summary>The row's work on another input (e.g. one image, to warm up the same graph).</summary>
    public void Run(Tensor input)
    {
        // Disposed at the end, as the harness's own passes are: the buffers go back for the next pass.
        using var run = Graph.Forward(input, recordForBackward: Mode != Forward);
        if (Mode == Forward) return;
        var logits = run.Output;
        int classes = logits.Dim(1), batch = input.N;
        var targets = new int[batch];
        for (int n = 0; n < batch; n++)
        {
            var row = logits.Data.AsSpan(n * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++)
                if (row[c] > row[best]) best = c;
            targets[n] = best;
        }
        run.BackwardFromClasses(targets, new BackwardOptions { KeepGradients = [] }); // as PyTorch keeps only x.grad
        if (run.InputGradient is null) throw new InvalidOperationException("The backward pass produced no input gradient.");
    }

    /// <summary>2·multiply-adds of every Conv2d and Linear node for an input of the given shape.</summary>
    public static double CountFlops(Graph graph, int[] inputShape)
    {
        var shapes = graph.InferShapes(inputShape);
        double flops = 0;
        foreach (var node in graph.Nodes)
        {
            var output = shapes[node.Index];
            switch (node.Layer)
            {
                case Conv2d conv:
                    flops += 2.0 * output[0] * output[1] * output[2] * output[3]
                        * (conv.InChannels / conv.Groups) * conv.KernelSize.H * conv.KernelSize.W;
                    break;
                case Linear linear:
                    flops += 2.0 * output[0] * linear.InFeatures * linear.OutFeatures;
                    break;
            }
        }
        return flops;
    }
}
