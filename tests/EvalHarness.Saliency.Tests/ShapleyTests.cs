using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Layers;
using EvalHarness.Saliency.Shapley;

namespace EvalHarness.Saliency.Tests;

public class ShapleyTests
{
    private static (ExplainContext Context, Tensor A, int Target) Setup(bool hidden, int k = 6)
    {
        var g = TinyNets.ConvGap(k, hiddenLayer: hidden);
        var ctx = new ExplainContext { Graph = g, TargetLayer = "features.1", BatchSize = 64, Seed = 5 };
        var a = g.ForwardTo(TinyNets.Images(1), "features.1").Output;
        return (ctx, a, 2);
    }

    [Fact]
    public void Linear_head_gives_weight_times_mean_activation()
    {
        var (ctx, a, target) = Setup(hidden: false);
        var phi = new ActivationShapley(ctx, "features.1").Compute(a, target);
        var w = ((Linear)ctx.Graph.NodeOf("fc").Layer).Weight.Value;
        int hw = a.H * a.W;
        for (int k = 0; k < a.C; k++)
        {
            double mean = 0;
            for (int i = 0; i < hw; i++) mean += a.Data[k * hw + i];
            mean /= hw;
            Assert.Equal(w[target, k] * mean, phi.Values[k], 5);
        }
        Assert.True(phi.Exact);
    }

    [Fact]
    public void Efficiency_holds_for_a_nonlinear_head()
    {
        var (ctx, a, target) = Setup(hidden: true);
        var phi = new ActivationShapley(ctx, "features.1").Compute(a, target);
        Assert.Equal(phi.FullValue - phi.EmptyValue, phi.Values.Sum(), 5);
        Assert.NotEqual(0, phi.FullValue - phi.EmptyValue, 3);
    }

    [Fact]
    public void Symmetric_maps_share_a_value_and_a_dummy_map_gets_zero()
    {
        var (ctx, a, target) = Setup(hidden: true);
        var fc0 = ((Linear)ctx.Graph.NodeOf("classifier.0").Layer).Weight.Value;
        int k = a.C, hw = a.H * a.W;
        // Map 1 becomes a copy of map 0 with the same outgoing weights: symmetric players.
        a.Data.AsSpan(0, hw).CopyTo(a.Data.AsSpan(hw, hw));
        for (int j = 0; j < fc0.Dim(0); j++) fc0[j, 1] = fc0[j, 0];
        // Map 2 feeds nothing: a dummy player.
        for (int j = 0; j < fc0.Dim(0); j++) fc0[j, 2] = 0;
        var phi = new ActivationShapley(ctx, "features.1").Compute(a, target);
        Assert.Equal(phi.Values[0], phi.Values[1], 6);
        Assert.Equal(0, phi.Values[2], 9);
        Assert.True(k > 2);
    }

    [Fact]
    public void Antithetic_sampling_agrees_with_enumeration_within_three_standard_errors()
    {
        var (ctx, a, target) = Setup(hidden: true, k: 10);
        var shapley = new ActivationShapley(ctx, "features.1");
        var exact = shapley.Compute(a, target);
        var sampled = shapley.Compute(a, target, pairs: 200, exact: "never", rng: new Rng(11));
        Assert.False(sampled.Exact);
        for (int i = 0; i < exact.Values.Length; i++)
        {
            double se = Math.Max(sampled.StandardErrors[i], 1e-9);
            Assert.True(Math.Abs(sampled.Values[i] - exact.Values[i]) <= 3 * se + 1e-9,
                $"player {i}: sampled {sampled.Values[i]} ± {se}, exact {exact.Values[i]}");
        }
    }

    [Fact]
    public void Too_many_players_for_exact_enumeration_is_explained()
    {
        var (ctx, a, target) = Setup(hidden: false, k: 24);
        var ex = Assert.Throws<EvalHarnessException>(() => new ActivationShapley(ctx, "features.1").Compute(a, target, exact: "always"));
        Assert.Contains("groups", ex.Message);
        Assert.Contains("sampling", ex.Message);
    }

    [Fact]
    public void Groups_are_players_and_satisfy_efficiency()
    {
        var (ctx, a, target) = Setup(hidden: true, k: 24);
        var phi = new ActivationShapley(ctx, "features.1").Compute(a, target, groups: 6);
        Assert.Equal(6, phi.Values.Length);
        Assert.Equal(phi.FullValue - phi.EmptyValue, phi.Values.Sum(), 5);
    }
}
