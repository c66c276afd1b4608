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
/// Gradual Extrapolation ("&lt;method&gt;+ge") against a PyTorch transcription of the authors'
/// GradualExtrapolator (tests/fixtures/gen_ge.py) on vgg16, resnet50 and squeezenet1_0, against a
/// hand-derived two-step case, and the catalog's handling of "+ge" names.
/// </summary>
public class GradualExtrapolationTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    public static IEnumerable<object[]> Fixtures() =>
        Directory.EnumerateFiles(TestPaths.Fixture("ge"), "*.safetensors")
            .Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal).Select(f => new object[] { f });

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Matches_pytorch(string file)
    {
        var fixture = SafeTensors.Load(TestPaths.Fixture("ge", file + ".safetensors"), out var meta);
        var x = SafeTensors.Load(TestPaths.Fixture(meta["input_file"].Split('/')))[meta["input_tensor"]];
        var graph = ModelZoo.Create(meta["arch"]);
        DeterministicInit.Apply(graph, ulong.Parse(meta["weight_seed"], CultureInfo.InvariantCulture));

        // The same hooked layers, in the same order, as the PyTorch hooks recorded.
        var hooked = GradualExtrapolation.HookedLayers(graph).Select(n => n.Name).ToList();
        Assert.Equal(meta["excitations"].Split(',').ToList(), ["input of " + hooked[0], .. hooked]);

        var targets = fixture["targets"].Data.Select(t => (int)t).ToArray();
        var method = SaliencyCatalog.Create(meta["method"], new Dictionary<string, string> { ["ge-layers"] = meta["ge_layers"] });
        Assert.Equal(meta["method"], method.Descriptor.Name);
        var result = method.Explain(new ExplainContext { Graph = graph, TargetLayer = meta["layer"] }, x, targets);
        var f64 = JsonSerializer.Deserialize<Dictionary<string, double>>(meta["float64_relerr"])!;

        var (rawRel, _) = FixtureCompare.Compare(result.RawMaps!, fixture["raw"], Tolerance);
        var (mapsRel, far) = FixtureCompare.Compare(result.Maps, fixture["maps"], Tolerance);
        output.WriteLine($"{file}: maps max abs error {mapsRel:E2} (PyTorch float32 vs float64 {f64["maps"]:E2}), raw rel {rawRel:E2}");
        Assert.True(rawRel < Tolerance, $"raw maps differ by {rawRel:E2}");
        Assert.True(mapsRel < Tolerance, $"maps differ by {mapsRel:E2} ({far} values beyond {Tolerance})");
    }

    /// <summary>
    /// x (1×1×4×4) → max-pool 2×2 → conv 1×1 (w = 1, b = 0) → ReLU (target) → GAP → linear 1→2 (w = [1, −1]).
    /// With x = [1 2 0 1; 3 4 1 0; 0 1 2 2; 1 0 2 8] the pool gives P = [4 1; 1 8], all positive, so for
    /// class 0 Grad-CAM's G = 1/4 everywhere and the coarse map is P/4 = [1 1/4; 1/4 2].
    /// Recorded: x (the pool's input) and P. Step 1 (P, same size): ×P/max P → [1/2 1/32; 1/32 2].
    /// Step 2 (x): bilinear 2→4 per axis takes [a, ¾a+¼b, ¼a+¾b, b], giving
    /// U = [1/2 49/128 19/128 1/32; 49/128 107/256 125/256 67/128; 19/128 125/256 299/256 193/128; 1/32 67/128 193/128 2],
    /// then ×x/8: M = [1/16 49/512 0 1/256; 147/1024 107/512 125/2048 0; 0 125/2048 299/1024 193/512; 1/256 0 193/512 2].
    /// mean M = 3775/16384, unbiased variance 60479719/251658240 (std 0.490229345); standardising puts
    /// the 2 at 3.61 (clipped to 1) and the zeros at −0.4700; min-max of the clipped values gives below.
    /// </summary>
    [Fact]
    public void Hand_derived_two_step_case()
    {
        var b = new GraphBuilder();
        using (b.Scope("features"))
        {
            b.Add("0", new MaxPool2d(2), GraphBuilder.Input);
            b.Add("1", new Conv2d(1, 1, 1));
            b.Add("2", new ReLU());
        }
        b.Add("avgpool", new AdaptiveAvgPool2d(1));
        b.Add("flatten", new Flatten());
        b.Add("fc", new Linear(1, 2));
        var g = b.Build();
        var sd = g.StateDict();
        sd["features.1.weight"].Value.Data[0] = 1;
        sd["features.1.bias"].Value.Data[0] = 0;
        sd["fc.weight"].Value.Data[0] = 1;
        sd["fc.weight"].Value.Data[1] = -1;
        sd["fc.bias"].Value.Data.AsSpan().Clear();
        var x = new Tensor([1, 2, 0, 1, 3, 4, 1, 0, 0, 1, 2, 2, 1, 0, 2, 8], 1, 1, 4, 4);

        var result = SaliencyCatalog.Create("gradcam+ge").Explain(new ExplainContext { Graph = g, TargetLayer = "features.2" }, x, [0]);
        float[] expected =
        [
            0.086728817f, 0.132803502f, 0f, 0.005420551f,
            0.199205252f, 0.289999483f, 0.084696111f, 0f,
            0f, 0.084696111f, 0.405186194f, 0.523083180f,
            0.005420551f, 0f, 0.523083180f, 1f,
        ];
        Assert.Equal([1, 4, 4], result.Maps.ShapeArray);
        for (int i = 0; i < 16; i++) Assert.Equal(expected[i], result.Maps.Data[i], 1e-6);
        Assert.Equal([1f, 0.25f, 0.25f, 2f], result.RawMaps!.Data); // the inner Grad-CAM map P/4, before ReLU
    }

    [Fact]
    public void Normalisation_of_a_map_without_spread_gives_zeros()
    {
        float[] constant = [3, 3, 3, 3];
        GradualExtrapolation.NormalizeToRgb(constant);
        Assert.Equal([0f, 0f, 0f, 0f], constant);
        float[] single = [5];
        GradualExtrapolation.NormalizeToRgb(single);
        Assert.Equal([0f], single);
        float[] two = [1, 3]; // standardised to ∓0.707 (unbiased std √2), min-max to 0 and 1
        GradualExtrapolation.NormalizeToRgb(two);
        Assert.Equal([0f, 1f], two);
    }

    /// <summary>conv 3→6 ["features.0"] → ReLU → max-pool 2 ["features.2"] → conv 6→6 → ReLU ["features.4", target] → GAP → linear 6→4.</summary>
    private static Graph PoolNet()
    {
        var b = new GraphBuilder();
        using (b.Scope("features"))
        {
            b.Add("0", new Conv2d(3, 6, 3, padding: 1), GraphBuilder.Input);
            b.Add("1", new ReLU());
            b.Add("2", new MaxPool2d(2));
            b.Add("3", new Conv2d(6, 6, 3, padding: 1));
            b.Add("4", new ReLU());
        }
        b.Add("avgpool", new AdaptiveAvgPool2d(1));
        b.Add("flatten", new Flatten());
        b.Add("fc", new Linear(6, 4));
        var g = b.Build();
        TinyNets.Fill(g, 5);
        return g;
    }

    public static IEnumerable<object[]> Inners() => SaliencyCatalog.GradualExtrapolationInners.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Inners))]
    public void Every_inner_method_works_batched_equals_one_by_one(string inner)
    {
        var ctx = new ExplainContext { Graph = PoolNet(), TargetLayer = "features.4", BatchSize = 2, Seed = 3 };
        var x = TinyNets.Images(3);
        int[] targets = [1, 0, 3];
        var method = SaliencyCatalog.Create(inner + "+ge");
        var inside = SaliencyCatalog.Create(inner).Descriptor;
        Assert.Equal(inner + "+ge", method.Descriptor.Name);
        Assert.Equal(inside.Family, method.Descriptor.Family);
        Assert.Equal(inside.Version * 100 + GradualExtrapolation.ExtrapolationVersion, method.Descriptor.Version);
        Assert.Contains("2104.04945", method.Descriptor.Source);
        var batched = method.Explain(ctx, x, targets);
        Assert.Equal([3, x.H, x.W], batched.Maps.ShapeArray);
        Assert.All(batched.Maps.Data, v => Assert.True(float.IsFinite(v) && v >= 0 && v <= 1));
        for (int n = 0; n < 3; n++)
        {
            var single = method.Explain(ctx, x.SliceBatch(n, 1), [targets[n]]);
            var want = batched.Maps.Sample(n).ToArray();
            var got = single.Maps.Sample(0).ToArray();
            for (int i = 0; i < got.Length; i++) Assert.Equal(want[i], got[i], 5);
        }
    }

    [Fact]
    public void Names_are_case_insensitive_and_parameters_pass_through()
    {
        var m = SaliencyCatalog.Create(" ScoreCAM+GE ", new Dictionary<string, string> { ["variant"] = "official", ["ge-layers"] = "Before-Map" });
        Assert.Equal("scorecam+ge", m.Descriptor.Name);
        Assert.Contains("variant official", m.Descriptor.Source);
        Assert.Contains("before-map", m.Descriptor.Source);
        Assert.Equal("official", Assert.IsType<ScoreCam>(Assert.IsType<GradualExtrapolation>(m).Inner).Variant);
    }

    [Fact]
    public void Bad_names_and_parameters_are_explained()
    {
        var near = Assert.Throws<UnknownNameException>(() => SaliencyCatalog.Create("gradcm+ge"));
        Assert.Contains("gradcam", near.Message);
        var inputOnly = Assert.Throws<EvalHarnessException>(() => SaliencyCatalog.Create("gradient+ge"));
        Assert.Contains("layer's resolution", inputOnly.Message);
        Assert.Contains("gradcam, gradcam++", inputOnly.Message);
        Assert.Throws<UnknownNameException>(() => SaliencyCatalog.Create("gradcam+ge+ge"));
        var choice = Assert.Throws<UnknownNameException>(() => SaliencyCatalog.Create("gradcam+ge", new Dictionary<string, string> { ["ge-layers"] = "al" }));
        Assert.Contains("before-map", choice.Message);
        var unknown = Assert.Throws<EvalHarnessException>(() => SaliencyCatalog.Create("gradcam+ge", new Dictionary<string, string> { ["layers"] = "all" }));
        Assert.Contains("ge-layers", unknown.Message);
        Assert.Equal(["cam", "gradcam", "gradcam++", "xgradcam", "layercam", "ablationcam", "scorecam", "liftcam", "shapcam", "excitationbackprop", "contrastive-eb"],
            SaliencyCatalog.GradualExtrapolationInners);
    }

    [Fact]
    public void A_network_without_pooling_or_strides_is_refused()
    {
        var ctx = new ExplainContext { Graph = TinyNets.ConvGap(), TargetLayer = "features.1" };
        var ex = Assert.Throws<EvalHarnessException>(() => SaliencyCatalog.Create("gradcam+ge").Explain(ctx, TinyNets.Images(1), [0]));
        Assert.Contains("max-pool or a strided convolution", ex.Message);
    }

    [Fact]
    public void A_relu_reading_a_strided_convolution_alone_stands_in_for_it()
    {
        var g = ModelZoo.Create("squeezenet1_0");
        var hooked = GradualExtrapolation.HookedLayers(g);
        Assert.Equal(["features.0", "features.2", "features.6", "features.11"], hooked.Select(n => n.Name));
        Assert.Equal(["features.1", "features.2", "features.6", "features.11"], hooked.Select(n => GradualExtrapolation.RecordedNode(g, n).Name));
        var r = ModelZoo.Create("resnet50");
        Assert.All(GradualExtrapolation.HookedLayers(r), n => Assert.Same(n, GradualExtrapolation.RecordedNode(r, n)));
    }
}
