using System.Globalization;
using System.Text.Json;
using EvalHarness.Engine;
using EvalHarness.Engine.Io;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;
using EvalHarness.Models;
using EvalHarness.Tests.Common;
using Xunit.Abstractions;

namespace EvalHarness.Saliency.Tests;

/// <summary>
/// CAM-family methods against PyTorch re-implementations of each paper and reference code
/// (tests/fixtures/gen_methods.py): final maps, raw maps, channel weights and contributions on
/// resnet50, vgg16 and squeezenet1_0 with eh-init-v1 weights, and exact SHAP-CAM on a small net.
/// </summary>
public class MethodFixtureTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    public static IEnumerable<object[]> Fast() => Cases(slow: false);

    public static IEnumerable<object[]> SlowCases() => Cases(slow: true);

    // Score-CAM and Ablation-CAM on vgg16/resnet50 run 512–2048 masked forward passes per image.
    private static bool IsSlow(string file) =>
        (file.Contains("__scorecam") || file.Contains("__ablationcam")) && !file.StartsWith("squeezenet", StringComparison.Ordinal);

    private static IEnumerable<object[]> Cases(bool slow) =>
        Directory.EnumerateFiles(TestPaths.Fixture("methods"), "*__*.safetensors")
            .Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal)
            .Where(f => IsSlow(f) == slow).Select(f => new object[] { f });

    [Theory]
    [MemberData(nameof(Fast))]
    public void Matches_pytorch(string file) => Check(file);

    [Theory]
    [MemberData(nameof(SlowCases))]
    [Trait("Category", "Slow")]
    public void Matches_pytorch_slow(string file) => Check(file);

    private void Check(string file)
    {
        var fixture = SafeTensors.Load(TestPaths.Fixture("methods", file + ".safetensors"), out var meta);
        var inputs = SafeTensors.Load(TestPaths.Fixture("methods", meta["input_file"]));
        var graph = meta["arch"] == "tinynet" ? TinyNet() : ModelZoo.Create(meta["arch"]);
        DeterministicInit.Apply(graph, ulong.Parse(meta["weight_seed"], CultureInfo.InvariantCulture));
        var x = inputs[meta["input_tensor"]];
        var targets = fixture["targets"].Data.Select(t => (int)t).ToArray();
        var parameters = meta["variant"].Length > 0 ? new Dictionary<string, string> { ["variant"] = meta["variant"] } : null;
        var method = SaliencyCatalog.Create(meta["method"], parameters);
        var result = method.Explain(new ExplainContext { Graph = graph, TargetLayer = meta["layer"], BatchSize = 32 }, x, targets);
        var f64 = JsonSerializer.Deserialize<Dictionary<string, double>>(meta["float64_relerr"])!;

        var actual = new Dictionary<string, Tensor?>
        {
            ["maps"] = result.Maps,
            ["raw"] = result.RawMaps,
            ["weights"] = result.ChannelWeights,
            ["contributions"] = result.ChannelContributions,
        };
        var failures = new List<string>();
        foreach (var (name, got) in actual)
        {
            if (!fixture.TryGetValue(name, out var want)) continue;
            Assert.True(got is not null, $"{file}: the method returns no {name}, the reference has them");
            Assert.Equal(want.Length, got!.Length);
            double rel = RelativeError(got, want);
            // float32 vs float64 in PyTorch shows how sensitive this quantity is (e.g. a saturated softmax).
            double allowed = Math.Max(Tolerance, 10 * f64.GetValueOrDefault(name));
            output.WriteLine($"{file} {name}: rel {rel:E2} (allowed {allowed:E2}; PyTorch float32 vs float64 {f64.GetValueOrDefault(name):E2})");
            if (rel > allowed) failures.Add($"{name}: relative error {rel:E2} > {allowed:E2}");
        }
        Assert.True(failures.Count == 0, $"{file}: {string.Join("; ", failures)}");
    }

    private static double RelativeError(Tensor got, Tensor want)
    {
        double max = 0, diff = 0;
        for (int i = 0; i < want.Length; i++)
        {
            max = Math.Max(max, Math.Abs(want.Data[i]));
            diff = Math.Max(diff, Math.Abs((double)got.Data[i] - want.Data[i]));
        }
        return max == 0 ? diff : diff / max;
    }

    /// <summary>The generator's small net (tests/fixtures/README.md): conv 3→12 3×3 pad 1, ReLU (target), conv 12→8 1×1, ReLU, GAP, linear 8→5.</summary>
    private static Graph TinyNet()
    {
        var b = new GraphBuilder();
        using (b.Scope("features"))
        {
            b.Add("0", new Conv2d(3, 12, 3, padding: 1), GraphBuilder.Input);
            b.Add("1", new ReLU());
            b.Add("2", new Conv2d(12, 8, 1));
            b.Add("3", new ReLU());
        }
        b.Add("avgpool", new AdaptiveAvgPool2d(1));
        b.Add("flatten", new Flatten());
        b.Add("fc", new Linear(8, 5));
        return b.Build();
    }
}
