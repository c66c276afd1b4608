using System.Globalization;
using System.Text.Json;
using EvalHarness.Engine;
using EvalHarness.Engine.Io;
using EvalHarness.Tests.Common;
using Xunit.Abstractions;

namespace EvalHarness.Models.Tests;

/// <summary>
/// Forward values and gradients of every architecture against PyTorch 1.13 (tests/fixtures/gen_models.py):
/// logits, the gradient of Σ_n logit[n, target_n] at the input, and the output and gradient of a few
/// named modules, all with eh-init-v1 weights. Errors are relative to the tensor's largest magnitude.
/// </summary>
public class TorchvisionFixtureTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    public static IEnumerable<object[]> Architectures() =>
        Directory.EnumerateFiles(TestPaths.Fixture("torchvision"), "*.safetensors")
            .Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal)
            .Select(a => new object[] { a });

    [Theory]
    [MemberData(nameof(Architectures))]
    [Trait("Category", "Fixture")]
    public void Forward_and_backward_match_pytorch(string arch)
    {
        var fixture = SafeTensors.Load(TestPaths.Fixture("torchvision", arch + ".safetensors"), out var meta);
        var graph = ModelZoo.Create(meta["arch"]);
        DeterministicInit.Apply(graph, ulong.Parse(meta["weight_seed"], CultureInfo.InvariantCulture));
        var taps = meta["taps"].Split(',');
        var targets = meta["targets"].Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        var f64 = JsonSerializer.Deserialize<Dictionary<string, double>>(meta["float64_relerr"])!;
        var outliers = JsonSerializer.Deserialize<Dictionary<string, long>>(meta["float64_outliers"])!;
        int flips = int.Parse(meta["float64_flips"], CultureInfo.InvariantCulture);

        var run = graph.Forward(fixture["input"]);
        run.BackwardFromClasses(targets);
        var actual = new Dictionary<string, Tensor> { ["logits"] = run.Output, ["input_grad"] = run.InputGradient! };
        foreach (var tap in taps)
        {
            actual[$"tap/{tap}/output"] = run.Activation(tap);
            actual[$"tap/{tap}/grad"] = run.Gradient(tap)!;
        }

        int poolTies = FixtureCompare.MaxPoolNearTies(graph, run);
        output.WriteLine($"{arch}: {poolTies} max-pool windows whose top two inputs lie within 2e-6 of the input's range in this engine's forward pass");
        var failures = new List<string>();
        double worst = 0;
        foreach (var (name, got) in actual)
        {
            var want = fixture[name];
            Assert.Equal(want.ShapeArray, got.ShapeArray);
            var (rel, far) = FixtureCompare.Compare(got, want, Tolerance);
            worst = Math.Max(worst, rel);
            output.WriteLine($"{arch} {name}: rel {rel:E2}, elements beyond 1e-4·max: {far} (float64 vs float32 in PyTorch: rel {f64[name]:E2}, {outliers[name]} beyond)");
            if (rel <= Tolerance) continue;
            // Near ties (a max-pool window or ReLU input within float32 rounding of its rival) may be settled
            // either way by any float32 engine. Forward values must always match; a gradient may differ where
            // PyTorch's own float64 run flipped a decision (bounded by how far that flip reached), or where this
            // engine's forward pass has max-pool near ties (bounded by 2% of the gradient's range).
            bool isGradient = name.EndsWith("grad", StringComparison.Ordinal);
            bool flipExplained = flips > 0 && f64[name] > Tolerance && rel <= 4 * f64[name] && far <= 4 * Math.Max(outliers[name], 1);
            bool tieExplained = poolTies > 0 && rel <= 2e-2;
            if (!isGradient || !(flipExplained || tieExplained))
                failures.Add($"{name}: relative error {rel:E2} with {far} elements beyond 1e-4 of the max");
        }
        output.WriteLine($"{arch}: worst relative error {worst:E2}");
        Assert.True(failures.Count == 0, $"{arch}: " + string.Join("; ", failures));
    }
}
