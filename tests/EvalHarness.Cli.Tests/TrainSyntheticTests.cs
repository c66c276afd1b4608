using EvalHarness.Engine.Io;
using EvalHarness.Tests.Common;

namespace EvalHarness.Cli.Tests;

[Collection(GemmSwitchingCollection.Name)]
public class TrainSyntheticTests
{
    [Fact]
    public void A_short_run_prints_the_committed_logs_first_steps_and_writes_loadable_weights()
    {
        using var dir = new TempDir();
        string weights = dir.File("s.safetensors");
        var before = Engine.Gemm.GemmProvider.Current;
        var run = CliRun.Of("train-synthetic", "--out", weights, "--steps", "5", "--log-every", "5", "--test-images", "8").Ok();
        var lines = run.Output.Split('\n');
        Assert.StartsWith("synthnet-train-v1: synthnet on synthetic-v1 train images, seed 0, 5 steps of 32", lines[0]);
        Assert.Matches(@"^held-out accuracy \d\.\d{4} on 8 test images", lines.Single(l => l.StartsWith("held-out", StringComparison.Ordinal)));
        Assert.Contains($"wrote {weights} (sha256 ", run.Output);
        Assert.Same(before, Engine.Gemm.GemmProvider.Current); // the command restores the process's GEMM

        // The warm-up does not depend on the number of steps, so these are the committed run's first five steps.
        var committed = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "configs", "models", "synthnet.train.log"));
        string gemm(string header) => header[(header.LastIndexOf("GEMM ", StringComparison.Ordinal) + 5)..];
        var first = lines.Where(l => l.StartsWith("step ", StringComparison.Ordinal) && !l.StartsWith("step  ", StringComparison.Ordinal)).ToList();
        var recorded = committed.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^step [1-5] (loss|weights)")).ToList();
        Assert.Equal(6, recorded.Count);
        if (gemm(lines[0].TrimEnd()) == gemm(committed[0])) Assert.Equal(recorded, first.Select(l => l.TrimEnd()));

        var tensors = SafeTensors.Load(weights, out var metadata);
        Assert.Equal("synthnet-train-v1", metadata["evalharness.recipe"]);
        Assert.Equal("5", metadata["evalharness.steps"]);
        Assert.Equal(19124 + 2 * 96, tensors.Values.Sum(t => t.Length)); // parameters and running statistics
        string yaml = dir.Write("m.yaml", File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "configs", "models", "synthnet.yaml"))
            .Replace("weights: synthnet.safetensors", "weights: s.safetensors")
            .Replace("labels: synthnet.labels.txt", "labels: " + Path.Combine(TestPaths.RepoRoot, "configs", "models", "synthnet.labels.txt")));
        Assert.Contains("valid: 22 tensors load strictly", CliRun.Of("validate-model", yaml).Ok().Output);
    }

    [Fact]
    public void The_committed_config_validates()
    {
        var output = CliRun.Of("validate-model", Path.Combine(TestPaths.RepoRoot, "configs", "models", "synthnet.yaml")).Ok().Output;
        Assert.Contains("layer output  [1×16×8×8]", output);
        Assert.Contains("logits        [1×4]", output);
    }

    [Fact]
    public void Bad_options_are_one_line_errors()
    {
        using var dir = new TempDir();
        CliRun.Of("train-synthetic", "--out", dir.File("w.pth")).UserError("--out", ".safetensors");
        CliRun.Of("train-synthetic", "--out", dir.File("w.safetensors"), "--steps", "0").UserError("--steps 0");
        CliRun.Of("train-synthetic", "--out", dir.File("w.safetensors"), "--log-every", "0").UserError("--log-every 0");
    }
}
