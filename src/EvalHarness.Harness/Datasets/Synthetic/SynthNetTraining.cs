using System.Globalization;
using System.Security.Cryptography;
using EvalHarness.Engine;
using EvalHarness.Engine.Gemm;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Io;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;
using EvalHarness.Engine.Nn.Training;
using EvalHarness.Models;

namespace EvalHarness.Harness.Datasets.Synthetic;

/// <summary>How <c>evalharness train-synthetic</c> trains synthnet; the defaults are the committed weights' recipe.</summary>
public sealed record SynthNetTrainingOptions
{
    /// <summary>Seeds the initial weights (eh-init-v1) and the training images (train split of this seed).</summary>
    public ulong Seed { get; init; }

    public int Steps { get; init; } = 400;

    public int BatchSize { get; init; } = 32;

    /// <summary>Adam's peak learning rate: linear warm-up over <see cref="WarmupSteps"/>, then linear decay to 0 at the last step.</summary>
    public float LearningRate { get; init; } = 0.004f;

    public int WarmupSteps { get; init; } = 50;

    public float WeightDecay { get; init; } = 1e-4f;

    /// <summary>Held-out images (test split, indices 0..n−1) scored at the end.</summary>
    public int TestImages { get; init; } = 1000;

    /// <summary>Stop after this many steps of the <see cref="Steps"/>-step schedule (tests); null runs them all.</summary>
    public int? StopAfter { get; init; }

    public void Validate()
    {
        if (Steps < 1) throw new EvalHarnessException($"--steps {Steps}: give at least 1 step.");
        if (BatchSize < 2) throw new EvalHarnessException($"The batch size {BatchSize} must be at least 2 (batch normalisation needs batch statistics).");
        if (!(LearningRate > 0)) throw new EvalHarnessException($"The learning rate {LearningRate} must be positive.");
        if (WarmupSteps < 0) throw new EvalHarnessException($"Warm-up steps {WarmupSteps} must be ≥ 0.");
        if (TestImages < 0) throw new EvalHarnessException($"Held-out images {TestImages} must be ≥ 0.");
        if ((long)Steps * BatchSize > int.MaxValue) throw new EvalHarnessException($"{Steps} steps of {BatchSize} images index past the generator's range.");
    }
}

/// <summary>The trained network, the loss of every step, and the held-out accuracy.</summary>
public sealed record SynthNetTrainingResult(Graph Graph, IReadOnlyList<TrainStepResult> Steps, double HeldOutAccuracy, int HeldOutImages);

/// <summary>
/// Trains synthnet (<see cref="Models.Architectures.SynthNet"/>) on <see cref="SyntheticGenerator"/> images with the
/// engine's own backward pass: Adam, mean cross-entropy, training-mode batch normalisation. Step t
/// uses train-split images t·B .. t·B + B − 1 (every image is new, in a fixed order), so the run is a
/// pure function of the options (on one machine and GEMM kernel: floating-point sums follow the kernel).
/// </summary>
public static class SynthNetTraining
{
    public const string Recipe = "synthnet-train-v1";

    public const string Architecture = "synthnet";

    /// <summary>The committed model's preprocessing: exact 64×64 (identity for generated images), ÷255, mean 0.5, std 0.25.</summary>
    public static Preprocessing Preprocessing { get; } = new()
    {
        Resize = ResizeMode.Exact,
        ResizeWidth = Models.Architectures.SynthNet.InputSize,
        ResizeHeight = Models.Architectures.SynthNet.InputSize,
        Antialias = true,
        Scale = 1.0 / 255,
        Mean = [0.5f, 0.5f, 0.5f],
        Std = [0.25f, 0.25f, 0.25f],
    };

    /// <summary>The untrained network: eh-init-v1 convolution and linear weights, torch's BatchNorm defaults, a zero head bias.</summary>
    public static Graph InitialGraph(ulong seed)
    {
        var graph = ModelZoo.Create(Architecture, SyntheticGenerator.Classes);
        DeterministicInit.Apply(graph, seed);
        foreach (var node in graph.Nodes)
        {
            if (node.Layer is BatchNorm2d bn)
            {
                bn.Weight.Value.Data.AsSpan().Fill(1f);
                bn.Bias.Value.Data.AsSpan().Clear();
                bn.RunningMean.Value.Data.AsSpan().Clear();
                bn.RunningVar.Value.Data.AsSpan().Fill(1f);
            }
            else if (node.Layer is Linear linear && linear.Bias is { } bias)
            {
                bias.Value.Data.AsSpan().Clear();
            }
        }
        return graph;
    }

    /// <summary>Learning rate of step <paramref name="step"/> (0-based): linear warm-up, then linear decay to zero.</summary>
    public static float LearningRateAt(SynthNetTrainingOptions o, int step)
    {
        if (step < o.WarmupSteps) return o.LearningRate * (step + 1) / o.WarmupSteps;
        int decay = Math.Max(1, o.Steps - o.WarmupSteps);
        return o.LearningRate * (o.Steps - step) / decay;
    }

    /// <summary>Preprocessed images and labels of generated images <paramref name="start"/>..start+count−1 of a split.</summary>
    public static (Tensor Images, int[] Labels) Batch(ulong seed, SyntheticSplit split, int start, int count)
    {
        var samples = new SyntheticSample[count];
        Parallel.For(0, count, i => samples[i] = SyntheticGenerator.Generate(seed, split, start + i));
        var tensor = Preprocessing.ApplyBatch(samples.Select(s => s.Image).ToList()).Tensor;
        return (tensor, samples.Select(s => s.Label).ToArray());
    }

    /// <summary>Trains from scratch; <paramref name="onStep"/> sees the 1-based step, its result, its learning rate and the (inference) graph.</summary>
    public static SynthNetTrainingResult Train(SynthNetTrainingOptions options, Action<int, TrainStepResult, float, Graph>? onStep = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var graph = InitialGraph(options.Seed);
        var training = TrainingGraph.Create(graph);
        var optimizer = new Adam(training.TrainableParameters(), weightDecay: options.WeightDecay);
        int steps = Math.Min(options.Steps, options.StopAfter ?? options.Steps);
        var results = new List<TrainStepResult>(steps);
        for (int step = 0; step < steps; step++)
        {
            var (images, labels) = Batch(options.Seed, SyntheticSplit.Train, step * options.BatchSize, options.BatchSize);
            float lr = LearningRateAt(options, step);
            var r = TrainStep.Run(training, optimizer, images, labels, lr);
            results.Add(r);
            onStep?.Invoke(step + 1, r, lr, graph);
        }
        double accuracy = options.TestImages == 0 ? double.NaN : Accuracy(graph, options.Seed, options.TestImages);
        return new SynthNetTrainingResult(graph, results, accuracy, options.TestImages);
    }

    /// <summary>Share of test-split images 0..count−1 of <paramref name="seed"/> whose argmax logit is the label.</summary>
    public static double Accuracy(Graph graph, ulong seed, int count, int batchSize = 100)
    {
        int correct = 0;
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            var (images, labels) = Batch(seed, SyntheticSplit.Test, start, n);
            var logits = graph.Forward(images, recordForBackward: false).Output;
            correct += TrainStep.CountCorrect(logits, labels);
        }
        return (double)correct / count;
    }

    /// <summary>SHA-256 (hex) of the state dict's float32 values in graph order: a fingerprint of the weights.</summary>
    public static string WeightsChecksum(Graph graph)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, p) in graph.StateDict())
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.Value.Data.AsSpan()));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>Writes the state dict as safetensors with the recipe in its metadata.</summary>
    public static void Save(string path, SynthNetTrainingOptions options, SynthNetTrainingResult result)
    {
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["evalharness.recipe"] = Recipe,
            ["evalharness.architecture"] = Architecture,
            ["evalharness.dataset"] = SyntheticGenerator.Version,
            ["evalharness.seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["evalharness.steps"] = result.Steps.Count.ToString(CultureInfo.InvariantCulture),
            ["evalharness.batch_size"] = options.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["evalharness.held_out_accuracy"] = result.HeldOutAccuracy.ToString("R", CultureInfo.InvariantCulture),
            ["evalharness.gemm"] = GemmDescription,
        };
        SafeTensors.Save(path, result.Graph.StateDict().Select(kv => KeyValuePair.Create(kv.Key, kv.Value.Value)), metadata);
    }

    /// <summary>The GEMM provider (and kernel) whose rounding the run's floating-point results follow.</summary>
    public static string GemmDescription => GemmProvider.Current is ManagedGemm m ? $"managed ({m.Kernel})" : GemmProvider.Current.Name;
}
