using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;
using EvalHarness.Metrics.Sanity;
using EvalHarness.Saliency;

namespace EvalHarness.Metrics.Tests;

public class SanityTests
{
    private static readonly int[] Targets = [1, 3];

    private static MetricContext Context(ISaliencyMethod method, Graph? graph = null)
    {
        var g = graph ?? TestNets.ConvGap(6, hidden: true);
        var images = TestNets.Random(9, 2, 3, 8, 8);
        var explain = new ExplainContext { Graph = g, TargetLayer = "features.1", Seed = 4 };
        return new MetricContext
        {
            Graph = g, Images = images, Targets = Targets, Maps = method.Explain(explain, images, Targets).Maps,
            Method = method, TargetLayer = "features.1", Seed = 4,
        };
    }

    private static Dictionary<string, (Tensor Value, float[] Copy)> Snapshot(Graph g) =>
        g.StateDict().ToDictionary(kv => kv.Key, kv => (kv.Value.Value, (float[])kv.Value.Value.Data.Clone()));

    private static void AssertUnchanged(Graph g, Dictionary<string, (Tensor Value, float[] Copy)> before)
    {
        foreach (var (name, p) in g.StateDict())
        {
            Assert.Same(before[name].Value, p.Value);
            Assert.Equal(before[name].Copy.Select(BitConverter.SingleToInt32Bits), p.Value.Data.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void The_weights_are_bit_identical_after_the_cascade()
    {
        var ctx = Context(SaliencyCatalog.Create("gradcam"));
        var before = Snapshot(ctx.Graph);
        var logitsBefore = ctx.Graph.Forward(ctx.Images, recordForBackward: false).Output.Data.ToArray();
        var r = new SanityRandomization().Evaluate(ctx);
        AssertUnchanged(ctx.Graph, before);
        Assert.Equal(logitsBefore, ctx.Graph.Forward(ctx.Images, recordForBackward: false).Output.Data);
        Assert.Equal(["spearman:classifier.2", "spearman:classifier.0", "spearman:features.0"], r.Records.Select(x => x.ValueName).Distinct());
        Assert.All(r.Records.Where(x => x.IsDefined), x => Assert.InRange(x.Value, -1, 1));
    }

    /// <summary>Throws on its n-th call; records which parameters differ from the originals at each call.</summary>
    private sealed class Probe(Graph g, int throwOnCall = -1) : ISaliencyMethod
    {
        private readonly Dictionary<string, Tensor> _originals = g.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Value);

        public List<string[]> Changed { get; } = [];

        public MethodDescriptor Descriptor { get; } = new("probe", 1, "baseline", false, "test");

        public SaliencyResult Explain(ExplainContext context, Tensor images, IReadOnlyList<int> targets)
        {
            Changed.Add(g.StateDict().Where(kv => !ReferenceEquals(kv.Value.Value, _originals[kv.Key])).Select(kv => kv.Key).Order().ToArray());
            if (Changed.Count == throwOnCall) throw new InvalidOperationException("probe failure");
            // a map that ignores the weights: the first channel of the image
            var maps = new Tensor(images.N, images.H, images.W);
            for (int n = 0; n < images.N; n++) images.Sample(n)[..(images.H * images.W)].CopyTo(maps.Sample(n));
            return new SaliencyResult { Maps = maps };
        }
    }

    [Fact]
    public void Layers_are_randomised_cumulatively_from_the_output_down()
    {
        var g = TestNets.ConvGap(6, hidden: true);
        var probe = new Probe(g);
        var r = new SanityRandomization().Evaluate(Context(probe, g));
        Assert.Equal(4, probe.Changed.Count); // the original map, then one call per layer
        Assert.Empty(probe.Changed[0]);
        Assert.Equal(["classifier.2.bias", "classifier.2.weight"], probe.Changed[1]);
        Assert.Equal(["classifier.0.bias", "classifier.0.weight", "classifier.2.bias", "classifier.2.weight"], probe.Changed[2]);
        Assert.Equal(6, probe.Changed[3].Length);
        // the probe's map ignores the weights: rank correlation 1 at every layer
        Assert.All(r.Records, x => Assert.Equal(1, x.Value, 12));
    }

    [Fact]
    public void The_weights_are_restored_when_the_method_throws_mid_cascade()
    {
        var g = TestNets.ConvGap(6, hidden: true);
        var ctx = Context(new Probe(g), g);
        var before = Snapshot(g);
        var failing = new MetricContext { Graph = g, Images = ctx.Images, Targets = Targets, Maps = ctx.Maps, Method = new Probe(g, throwOnCall: 2), Seed = 4 };
        Assert.Throws<InvalidOperationException>(() => new SanityRandomization().Evaluate(failing));
        AssertUnchanged(g, before);
    }

    [Fact]
    public void Max_layers_limits_the_cascade_and_the_same_seed_repeats_it()
    {
        var ctx = Context(SaliencyCatalog.Create("gradcam"));
        var one = new SanityRandomization(maxLayers: 1).Evaluate(ctx);
        Assert.Equal(["spearman:classifier.2"], one.Records.Select(x => x.ValueName).Distinct());
        var all = new SanityRandomization().Evaluate(ctx);
        var again = new SanityRandomization().Evaluate(ctx);
        Assert.Equal(all.Records.Select(x => x.Value), again.Records.Select(x => x.Value));
        Assert.Equal(one.Records.Select(x => x.Value), all.Records.Take(2).Select(x => x.Value));
    }

    [Fact]
    public void Randomised_weights_are_gaussian_with_the_original_spread_and_buffers_stay()
    {
        var b = new GraphBuilder();
        b.Add("bn", new BatchNorm2d(4), GraphBuilder.Input);
        b.Add("flatten", new Flatten());
        var fc = new Linear(64, 200);
        b.Add("fc", fc);
        var g = b.Build();
        var rng = new Rng(3);
        for (int i = 0; i < fc.Weight.Value.Length; i++) fc.Weight.Value.Data[i] = (float)(0.3 * rng.NextGaussian() + 2);
        var bn = (BatchNorm2d)g.NodeOf("bn").Layer;
        var runningMean = bn.Parameters().Single(p => p.Name == "running_mean").Parameter.Value;
        using (var cascade = new CascadingRandomization(g, 11))
        {
            Assert.Equal(["fc", "bn"], cascade.Layers.Select(n => n.Name));
            cascade.RandomiseNext();
            cascade.RandomiseNext();
            var w = fc.Weight.Value.Data;
            double mean = w.Average(v => (double)v), sd = Math.Sqrt(w.Average(v => (v - mean) * (v - mean)));
            Assert.InRange(mean, -0.02, 0.02);        // N(0, σ²): the original mean 2 is not kept
            Assert.InRange(sd, 0.3 * 0.97, 0.3 * 1.03);
            Assert.Same(runningMean, bn.Parameters().Single(p => p.Name == "running_mean").Parameter.Value);
            Assert.Throws<InvalidOperationException>(() => cascade.RandomiseNext());
        }
        Assert.Equal(2f, fc.Weight.Value.Data.Average(), 1);
    }

    [Fact]
    public void Without_a_method_the_metric_explains_what_it_needs()
    {
        var ctx = Context(SaliencyCatalog.Create("gradcam"));
        var bare = new MetricContext { Graph = ctx.Graph, Images = ctx.Images, Targets = Targets, Maps = ctx.Maps };
        Assert.Contains("MetricContext.Method", Assert.Throws<EvalHarnessException>(() => new SanityRandomization().Evaluate(bare)).Message);
    }
}
