using EvalHarness.Engine;

namespace EvalHarness.Saliency.Tests;

/// <summary>Properties every registered method must have (a table over the catalog).</summary>
public class InvarianceTests
{
    public static IEnumerable<object[]> Methods() => SaliencyCatalog.Names.Select(n => new object[] { n });

    private static ExplainContext Context(string method) => new()
    {
        Graph = TinyNets.ConvGap(hiddenLayer: method != "cam"),
        TargetLayer = "features.1",
        BatchSize = 5,
        Seed = 9,
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void Batched_equals_one_by_one_and_maps_are_finite_and_input_sized(string name)
    {
        var ctx = Context(name);
        var x = TinyNets.Images(3);
        int[] targets = [1, 0, 3];
        var batched = SaliencyCatalog.Create(name).Explain(ctx, x, targets);
        Assert.Equal([3, x.H, x.W], batched.Maps.ShapeArray);
        Assert.All(batched.Maps.Data, v => Assert.True(float.IsFinite(v) && v >= 0 && v <= 1 + 1e-6f));
        for (int n = 0; n < 3; n++)
        {
            var single = SaliencyCatalog.Create(name).Explain(ctx, x.SliceBatch(n, 1), [targets[n]]);
            var expected = batched.Maps.Sample(n).ToArray();
            var actual = single.Maps.Sample(0).ToArray();
            for (int i = 0; i < actual.Length; i++) Assert.Equal(expected[i], actual[i], 5);
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Same_seed_gives_the_same_map(string name)
    {
        var x = TinyNets.Images(2);
        var a = SaliencyCatalog.Create(name).Explain(Context(name), x, [0, 1]);
        var b = SaliencyCatalog.Create(name).Explain(Context(name), x, [0, 1]);
        Assert.Equal(a.Maps.Data, b.Maps.Data);
    }

    [Fact]
    public void Unknown_method_names_suggest_near_misses()
    {
        var ex = Assert.Throws<UnknownNameException>(() => SaliencyCatalog.Create("gradcm"));
        Assert.Contains("gradcam", ex.Message);
    }

    [Fact]
    public void Unknown_parameters_are_named()
    {
        var ex = Assert.Throws<EvalHarnessException>(() => SaliencyCatalog.Create("scorecam", new Dictionary<string, string> { ["varient"] = "paper" }));
        Assert.Contains("varient", ex.Message);
        Assert.Contains("variant", ex.Message);
    }
}
