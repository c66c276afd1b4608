using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using EvalHarness.Harness.Datasets.Synthetic;

namespace EvalHarness.Cli;

/// <summary>
/// <c>evalharness train-synthetic</c>: trains synthnet on generated images with the engine's own
/// backward pass and writes its weights as safetensors. The defaults reproduce the committed
/// configs/models/synthnet.safetensors (see configs/models/README.md). It always computes with the
/// managed GEMM, so the result does not depend on which BLAS library is installed.
/// </summary>
internal static class TrainSyntheticCommand
{
    /// <summary>Steps whose loss is printed one by one (the reproducibility check compares them).</summary>
    public const int FirstStepsLogged = 5;

    public static Command Create()
    {
        var defaults = new SynthNetTrainingOptions();
        var outPath = new Option<string>("--out", "-o") { Description = "The weights file to write (.safetensors).", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the initial weights and of the training images.", DefaultValueFactory = _ => defaults.Seed };
        var steps = new Option<int>("--steps") { Description = "Training steps (batches of 32 new images).", DefaultValueFactory = _ => defaults.Steps };
        var logEvery = new Option<int>("--log-every") { Description = "Print the mean loss and accuracy every K steps.", DefaultValueFactory = _ => 100 };
        var testImages = new Option<int>("--test-images") { Description = "Held-out (test split) images scored at the end.", DefaultValueFactory = _ => defaults.TestImages };
        var command = new Command("train-synthetic", "Train synthnet on the synthetic ground-truth images and save its weights.")
        {
            outPath, seed, steps, logEvery, testImages,
        };
        command.SetGuardedAction((parse, output, _) =>
        {
            string path = Commands.OutputPath(parse.GetValue(outPath), "--out", ".safetensors");
            int every = parse.GetValue(logEvery);
            if (every < 1) throw new Engine.EvalHarnessException($"--log-every {every}: give at least 1.");
            var options = defaults with { Seed = parse.GetValue(seed), Steps = parse.GetValue(steps), TestImages = parse.GetValue(testImages) };
            options.Validate();
            // The committed weights were computed with the managed GEMM: its rounding does not depend on an installed BLAS.
            var previousGemm = Engine.Gemm.GemmProvider.Current;
            Engine.Gemm.GemmProvider.Use("managed");
            try
            {
                var inv = CultureInfo.InvariantCulture;
                output.WriteLine($"{SynthNetTraining.Recipe}: synthnet on {Harness.Datasets.Synthetic.SyntheticGenerator.Version} train images, seed {options.Seed.ToString(inv)}, " +
                    $"{options.Steps.ToString(inv)} steps of {options.BatchSize.ToString(inv)}, Adam lr {options.LearningRate.ToString("R", inv)}, GEMM {SynthNetTraining.GemmDescription}");
                var clock = Stopwatch.StartNew();
                double lossSum = 0;
                int correct = 0, seen = 0;
                var result = SynthNetTraining.Train(options, (step, r, lr, graph) =>
                {
                    if (step <= FirstStepsLogged) output.WriteLine($"step {step.ToString(inv)} loss {r.Loss.ToString("R", inv)}");
                    if (step == FirstStepsLogged) output.WriteLine($"step {step.ToString(inv)} weights checksum {SynthNetTraining.WeightsChecksum(graph)}");
                    lossSum += r.Loss;
                    correct += r.Correct;
                    seen += r.Count;
                    if (step % every == 0 || step == options.Steps)
                    {
                        int window = step % every == 0 ? every : step % every;
                        output.WriteLine($"step {step.ToString(inv),5}  loss {(lossSum / window).ToString("F4", inv)}  accuracy {((double)correct / seen).ToString("F3", inv)}  " +
                            $"lr {lr.ToString("G4", inv)}  {clock.Elapsed.TotalSeconds.ToString("F0", inv)} s");
                        lossSum = 0;
                        correct = seen = 0;
                    }
                });
                output.WriteLine($"held-out accuracy {result.HeldOutAccuracy.ToString("F4", inv)} on {result.HeldOutImages.ToString(inv)} test images " +
                    $"(seed {options.Seed.ToString(inv)}, indices 0..{(result.HeldOutImages - 1).ToString(inv)})");
                Commands.EnsureFolder(path);
                SynthNetTraining.Save(path, options, result);
                string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
                output.WriteLine($"weights checksum {SynthNetTraining.WeightsChecksum(result.Graph)}");
                output.WriteLine($"wrote {path} (sha256 {sha}) in {clock.Elapsed.TotalSeconds.ToString("F0", inv)} s");
                return 0;
            }
            finally
            {
                Engine.Gemm.GemmProvider.Current = previousGemm;
            }
        });
        return command;
    }
}
