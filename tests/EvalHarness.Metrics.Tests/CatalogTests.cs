using System.Globalization;
using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Metrics.Faithfulness;
using EvalHarness.Saliency;

namespace EvalHarness.Metrics.Tests;

/// <summary>The registry, parameters, and properties every registered metric must have (a table over the catalog).</summary>
public class CatalogTests
{
    public static IEnumerable<object[]> Metrics() => MetricCatalog.Names.Select(n => new object[] { n });

    private static readonly int[] Targets = [1, 0, 3];

    /// <summary>A context every metric can use: Grad-CAM maps and contributions, boxes, masks, preprocessing.</summary>
    private static MetricContext Full(int start = 0, int count = 3)
    {
        var g = TestNets.ConvGap(6, hidden: true);
        var images = TestNets.Random(12, 3, 3, 9, 8).SliceBatch(start, count);
        var targets = Targets.Skip(start).Take(count).ToArray();
        var method = SaliencyCatalog.Create("gradcam");
        var result = method.Explain(new ExplainContext { Graph = g, TargetLayer = "features.1", Seed = 2 }, images, targets);
        IReadOnlyList<BoundingBox>[] boxes = [[new(1, 2, 2, 6, 7)], [new(0, 0, 0, 3, 3), new(4, 5, 5, 8, 9)], [new(2, 0, 0, 8, 9)]];
        var mask = new bool[72];
        for (int i = 0; i < 72; i += 3) mask[i] = true;
        return new MetricContext
        {
            Graph = g, Images = images, Targets = targets, Maps = result.Maps, Saliency = result, Method = method,
            TargetLayer = "features.1", Preprocessing = Preprocessing.Torchvision(), Seed = 2, BatchSize = 5,
            Boxes = boxes.Skip(start).Take(count).ToArray(),
            Masks = Enumerable.Range(start, count).Select(n => (IReadOnlyList<ObjectMask>)[new ObjectMask(Targets[n], mask)]).ToArray(),
        };
    }

    [Theory]
    [MemberData(nameof(Metrics))]
    public void Batched_equals_one_by_one_and_every_declared_output_is_reported(string name)
    {
        var metric = MetricCatalog.Create(name);
        Assert.Equal(name, metric.Descriptor.Name);
        Assert.True(metric.Descriptor.Version >= 1);
        Assert.NotEqual(MetricDirection.None, metric.Descriptor.Direction);
        var batched = metric.Evaluate(Full());
        Assert.False(string.IsNullOrWhiteSpace(batched.Protocol));
        foreach (var output in metric.Descriptor.Outputs)
            Assert.Contains(batched.Records, r => output.Name.EndsWith(":{layer}") ? r.ValueName.StartsWith(output.Name[..^7]) : r.ValueName == output.Name);
        Assert.All(batched.Records, r => Assert.Equal(name, r.Metric));
        for (int n = 0; n < 3; n++)
        {
            var single = MetricCatalog.Create(name).Evaluate(Full(n, 1));
            var expected = batched.Records.Where(r => r.ImageIndex == n).ToList();
            Assert.Equal(expected.Select(r => r.ValueName), single.Records.Select(r => r.ValueName));
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Target, single.Records[i].Target);
                Assert.Equal(expected[i].IsDefined, single.Records[i].IsDefined);
                // The engine may pick other float32 kernels (summation orders) for other batch sizes: agree to
                // 1e-5 relative (float32 rounding through a few layers), 1e-5 absolute near zero.
                if (expected[i].IsDefined)
                    Assert.Equal(expected[i].Value, single.Records[i].Value, 1e-5 * Math.Max(1, Math.Abs(expected[i].Value)));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Metrics))]
    public void Same_seed_gives_the_same_values(string name)
    {
        var a = MetricCatalog.Create(name).Evaluate(Full());
        var b = MetricCatalog.Create(name).Evaluate(Full());
        Assert.Equal(a.Records.Select(r => r.Value), b.Records.Select(r => r.Value));
        Assert.Equal(a.Protocol, b.Protocol);
    }

    [Fact]
    public void Unknown_metric_names_suggest_near_misses()
    {
        var ex = Assert.Throws<UnknownNameException>(() => MetricCatalog.Create("deletoin"));
        Assert.Contains("deletion", ex.Message);
        Assert.Same(MetricCatalog.Create("Pointing-Game").GetType(), MetricCatalog.Create("pointing-game").GetType());
    }

    [Fact]
    public void Unknown_parameters_and_values_are_named()
    {
        var ex = Assert.Throws<EvalHarnessException>(() => MetricCatalog.Create("deletion", new Dictionary<string, string> { ["stepz"] = "3" }));
        Assert.Contains("stepz", ex.Message);
        Assert.Contains("step", ex.Message);
        Assert.Contains("metric 'deletion'", ex.Message);
        var bad = Assert.Throws<UnknownNameException>(() => MetricCatalog.Create("insertion", new Dictionary<string, string> { ["substrate"] = "blurr" }));
        Assert.Contains("blur", bad.Message);
        var range = Assert.Throws<EvalHarnessException>(() => MetricCatalog.Create("average-drop", new Dictionary<string, string> { ["fraction"] = "1.5" }));
        Assert.Contains("fraction", range.Message);
        Assert.Throws<EvalHarnessException>(() => MetricCatalog.Create("deletion", new Dictionary<string, string> { ["step"] = "2", ["steps"] = "4" }));
    }

    [Fact]
    public void Parameters_reach_the_metric()
    {
        var d = (Deletion)MetricCatalog.Create("deletion", new Dictionary<string, string> { ["step"] = "5", ["substrate"] = "Blur", ["score"] = "logit" });
        Assert.Equal((5, "blur", "logit"), (d.Step, d.SubstrateKind, d.Score));
        var i = (Insertion)MetricCatalog.Create("insertion");
        Assert.Equal("blur", i.SubstrateKind);
        Assert.Equal("zero", ((Deletion)MetricCatalog.Create("deletion")).SubstrateKind);
        var p = (Localization.PointingGame)MetricCatalog.Create("pointing-game", new Dictionary<string, string> { ["tolerance"] = "7.5", ["region"] = "MASKS" });
        Assert.Equal((7.5, "masks"), (p.Tolerance, p.Region));
    }

    [Fact]
    public void Protocols_do_not_depend_on_the_culture()
    {
        var before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            var invariant = MetricCatalog.Names.Select(n => MetricCatalog.Create(n).Evaluate(Full()).Protocol).ToList();
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            var german = MetricCatalog.Names.Select(n => MetricCatalog.Create(n).Evaluate(Full()).Protocol).ToList();
            Assert.Equal(invariant, german);
            Assert.Contains("0.5", MetricCatalog.Create("average-drop", new Dictionary<string, string> { ["masking"] = "top-fraction" }).Evaluate(Full()).Protocol);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }
}
