using System.Globalization;
using System.Text.Json;
using EvalHarness.Engine;
using EvalHarness.Engine.Io;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;
using EvalHarness.Models;
using EvalHarness.Saliency.Methods;
using EvalHarness.Tests.Common;
using Xunit.Abstractions;

namespace EvalHarness.Saliency.Tests;

/// <summary>
/// Raw attributions of gradient, input × gradient, Integrated Gradients (riemann_right, 16 steps, zero
/// baseline), guided backprop, deconvnet and LRP (epsilon-plus, epsilon-gamma-box; the reference is
/// tests/fixtures/lrp_reference.py, a PyTorch transcription of the rules) on vgg16, resnet50 and squeezenet1_0 (eh-init-v1 weights,
/// 2×3×64×64 input) against PyTorch 1.13 (tests/fixtures/gen_grad_methods.py). Errors are relative to the
/// attribution's largest magnitude.
/// </summary>
public class GradMethodFixtureTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    public static IEnumerable<object[]> Cases() =>
        from arch in new[] { "vgg16", "resnet50", "squeezenet1_0" }
        select new object[] { arch };

    private static (Graph Graph, Dictionary<string, Tensor> Fixture, IReadOnlyDictionary<string, string> Meta, int[] Targets) Load(string arch)
    {
        var fixture = SafeTensors.Load(TestPaths.Fixture("grad_methods", arch + ".safetensors"), out var meta);
        var graph = ModelZoo.Create(meta["arch"]);
        DeterministicInit.Apply(graph, ulong.Parse(meta["weight_seed"], CultureInfo.InvariantCulture));
        var targets = meta["targets"].Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        return (graph, fixture, meta, targets);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    [Trait("Category", "Fixture")]
    [Trait("Category", "Slow")]
    public void Raw_attributions_match_pytorch(string arch)
    {
        var (graph, fixture, meta, targets) = Load(arch);
        var x = fixture["input"];
        var ctx = new ExplainContext { Graph = graph, BatchSize = 16 };
        var f64 = JsonSerializer.Deserialize<Dictionary<string, double>>(meta["float64_relerr"])!;
        var outliers = JsonSerializer.Deserialize<Dictionary<string, long>>(meta["float64_outliers"])!;
        var flips = JsonSerializer.Deserialize<Dictionary<string, long>>(meta["float64_flips"])!;
        int ties = FixtureCompare.MaxPoolNearTies(graph, graph.Forward(x));
        output.WriteLine($"{arch}: {ties} max-pool near ties in this engine's forward pass at the input");
        var failures = new List<string>();
        var lrp = meta["lrp_composites"].Split(',').Select(c => "lrp/" + c);
        foreach (var method in meta["methods"].Split(',').Concat(lrp))
        {
            var parameters = method switch
            {
                "integratedgradients" => new Dictionary<string, string> { ["steps"] = meta["ig_steps"], ["method"] = meta["ig_method"], ["baseline"] = meta["ig_baseline"] },
                _ when method.StartsWith("lrp/", StringComparison.Ordinal) => new Dictionary<string, string>
                {
                    ["composite"] = method[4..], ["low"] = meta["lrp_low"], ["high"] = meta["lrp_high"],
                    ["gamma"] = meta["lrp_gamma"], ["epsilon"] = meta["lrp_epsilon"], ["stabilizer"] = meta["lrp_epsilon"],
                },
                _ => null,
            };
            var got = SaliencyCatalog.Create(method.Split('/')[0], parameters).Explain(ctx, x, targets).Extras["attribution"];
            var want = fixture[method];
            Assert.Equal(want.ShapeArray, got.ShapeArray);
            var (rel, far) = FixtureCompare.Compare(got, want, Tolerance);
            output.WriteLine($"{arch} {method}: rel {rel:E2}, beyond 1e-4·max: {far} (PyTorch float32 vs float64: rel {f64[method]:E2}, " +
                $"{outliers[method]} beyond, {flips[method]} flipped decisions)");
            if (rel <= Tolerance) continue;
            // A near tie (ReLU input or max-pool rival within rounding) may be settled either way by a float32 engine:
            // accepted where PyTorch's own float64 run flipped decisions (bounded by how far those flips reached), or
            // where this engine's forward pass has max-pool near ties (bounded by 2% of the range), as in the model fixtures.
            bool flipExplained = flips[method] > 0 && rel <= 4 * f64[method] && far <= 4 * Math.Max(outliers[method], 1);
            bool tieExplained = ties > 0 && rel <= 2e-2;
            if (!(flipExplained || tieExplained)) failures.Add($"{method}: relative error {rel:E2} with {far} elements beyond 1e-4 of the max");
        }
        Assert.True(failures.Count == 0, $"{arch}: " + string.Join("; ", failures));
    }

    [Fact]
    [Trait("Category", "Fixture")]
    [Trait("Category", "Slow")]
    public void Integrated_gradients_on_squeezenet_are_complete_within_one_percent_at_256_steps()
    {
        var (graph, fixture, _, targets) = Load("squeezenet1_0");
        var x = fixture["input"].SliceBatch(0, 1);
        var ctx = new ExplainContext { Graph = graph, BatchSize = 32 };
        var r = new IntegratedGradients(256, "riemann_trapezoid", reportCompleteness: true).Explain(ctx, x, [targets[0]]);
        var logits = graph.Forward(x, recordForBackward: false).Output;
        var zero = graph.Forward(new Tensor(x.ShapeArray), recordForBackward: false).Output;
        double expected = logits[0, targets[0]] - zero[0, targets[0]];
        double total = r.Extras["attribution"].Data.Sum(v => (double)v);
        output.WriteLine($"Σ attributions {total}, f(x) − f(0) {expected}, gap {(total - expected) / expected:P3}");
        Assert.True(Math.Abs(total - expected) <= 0.01 * Math.Abs(expected), $"Σ a = {total}, f(x) − f(x') = {expected}");
    }
}
