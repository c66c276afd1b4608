using EvalHarness.Engine;
using EvalHarness.Saliency.Methods;

namespace EvalHarness.Saliency.Tests;

public class RandomMapTests
{
    private static ExplainContext Context(ulong seed) => new() { Graph = TinyNets.ConvGap(), Seed = seed };

    [Fact]
    public void Is_registered_as_a_baseline()
    {
        var m = SaliencyCatalog.Create("Random");
        Assert.IsType<RandomMap>(m);
        Assert.Equal(("random", "baseline", false), (m.Descriptor.Name, m.Descriptor.Family, m.Descriptor.NeedsTargetLayer));
    }

    [Fact]
    public void Maps_are_uniform_on_the_unit_interval_and_independent_of_the_target_and_the_model()
    {
        var x = TinyNets.Images(2);
        var a = new RandomMap().Explain(Context(5), x, [0, 1]).Maps;
        var other = new ExplainContext { Graph = TinyNets.ConvGap(hiddenLayer: false), Seed = 5 };
        var b = new RandomMap().Explain(other, x, [3, 2]).Maps;
        Assert.Equal(a.Data, b.Data);
        Assert.All(a.Data, v => Assert.True(v >= 0 && v < 1));
        // Two images, two different streams; with 2·H·W values the mean and variance are those of U[0, 1).
        Assert.NotEqual(a.Sample(0).ToArray(), a.Sample(1).ToArray());
        var large = new RandomMap().Explain(Context(5), new Tensor(1, 3, 100, 100), [0]).Maps.Data;
        double mean = large.Average(v => (double)v), variance = large.Average(v => (v - mean) * (v - mean));
        Assert.InRange(mean, 0.5 - 0.01, 0.5 + 0.01);     // σ of the mean ≈ 0.0029
        Assert.InRange(variance, 1.0 / 12 - 0.003, 1.0 / 12 + 0.003);
    }

    [Fact]
    public void The_seed_changes_the_map()
    {
        var x = TinyNets.Images(1);
        Assert.NotEqual(new RandomMap().Explain(Context(1), x, [0]).Maps.Data, new RandomMap().Explain(Context(2), x, [0]).Maps.Data);
    }
}
