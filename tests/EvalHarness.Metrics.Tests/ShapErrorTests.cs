using EvalHarness.Engine;
using EvalHarness.Metrics.Shap;
using EvalHarness.Saliency;
using EvalHarness.Saliency.Shapley;

namespace EvalHarness.Metrics.Tests;

public class ShapErrorTests
{
    private const string Layer = "features.1";
    private static readonly int[] Targets = [2, 0];

    private static (MetricContext Ctx, double[][] Phi) Setup(int k, bool hidden, Func<double[], int, double[]>? contributions = null, SaliencyResult? result = null)
    {
        var g = TestNets.ConvGap(k, hidden: hidden);
        var images = TestNets.Random(5, 2, 3, 6, 6);
        var explain = new ExplainContext { Graph = g, TargetLayer = Layer, BatchSize = 64 };
        var a = g.ForwardTo(images, Layer).Output;
        var phi = new double[2][];
        if (k <= ActivationShapley.MaxExactPlayers)
            for (int n = 0; n < 2; n++) phi[n] = new ActivationShapley(explain, Layer).Compute(a.SliceBatch(n, 1), Targets[n]).Values;
        Tensor? c = null;
        if (contributions != null)
        {
            c = new Tensor(2, k);
            for (int n = 0; n < 2; n++)
            {
                var v = contributions(phi[n], n);
                for (int i = 0; i < k; i++) c[n, i] = (float)v[i];
            }
        }
        var ctx = new MetricContext
        {
            Graph = g, Images = images, Targets = Targets, Maps = new Tensor(2, 6, 6), TargetLayer = Layer, BatchSize = 64, Seed = 17,
            Saliency = result ?? new SaliencyResult { Maps = new Tensor(2, 6, 6), ChannelContributions = c },
        };
        return (ctx, phi);
    }

    [Fact]
    public void Exact_shapley_contributions_give_zero_error_and_perfect_agreement()
    {
        var (ctx, _) = Setup(12, hidden: true, (phi, _) => phi);
        var r = new ShapError().Evaluate(ctx);
        for (int n = 0; n < 2; n++)
        {
            Assert.Equal(0, r.Values("error")[n], 6);
            Assert.Equal(1, r.Values("cosine")[n], 6);
            Assert.Equal(1, r.Values("spearman")[n], 12);
            Assert.Equal(1, r.Values("top_k_overlap")[n]);
            Assert.Equal(0, r.Values("reference_rel_se")[n]);
        }
    }

    [Fact]
    public void The_reference_cached_across_evaluations_follows_a_change_of_the_head()
    {
        var (ctx, phi) = Setup(8, hidden: true, (phi, _) => phi);
        var metric = new ShapError();
        Assert.All(metric.Evaluate(ctx).Values("error"), e => Assert.Equal(0, e, 6));
        Assert.Equal(metric.Evaluate(ctx).Values("error"), metric.Evaluate(ctx).Values("error"));
        // Same activations, new head weights: a stale cached φ* would still give error 0.
        var head = ctx.Graph.Nodes.Skip(ctx.Graph.IndexOf(Layer) + 1).SelectMany(n => n.Layer.Parameters()).First().Parameter;
        var w = head.Value.Data;
        for (int i = 0; i < w.Length; i++) w[i] = w[i] * (i % 3 == 0 ? -2f : 0.5f) + 0.1f;
        var fresh = new ShapError().Evaluate(ctx).Values("error");
        Assert.Equal(fresh, metric.Evaluate(ctx).Values("error"));
        Assert.Contains(fresh, e => e > 1e-3);
    }

    [Fact]
    public void Shapcam_contributions_are_the_reference()
    {
        var g = TestNets.ConvGap(8, hidden: true);
        var images = TestNets.Random(5, 2, 3, 6, 6);
        var result = SaliencyCatalog.Create("shapcam").Explain(new ExplainContext { Graph = g, TargetLayer = Layer }, images, Targets);
        var ctx = new MetricContext { Graph = g, Images = images, Targets = Targets, Maps = result.Maps, TargetLayer = Layer, Saliency = result };
        Assert.All(new ShapError().Evaluate(ctx).Values("error"), e => Assert.Equal(0, e, 5));
    }

    [Fact]
    public void Swapping_the_largest_and_smallest_contribution_gives_the_hand_computed_values()
    {
        const int k = 12;
        var (ctx, phi) = Setup(k, hidden: true, (p, _) =>
        {
            var q = (double[])p.Clone();
            int hi = Array.IndexOf(p, p.Max()), lo = Array.IndexOf(p, p.Min());
            (q[hi], q[lo]) = (p[lo], p[hi]);
            return q;
        });
        var r = new ShapError().Evaluate(ctx);
        for (int n = 0; n < 2; n++)
        {
            var p = phi[n];
            Assert.Equal(k, p.Distinct().Count());
            double max = p.Max(), min = p.Min(), norm2 = p.Sum(v => v * v);
            // two entries change by ±(max − min)
            Assert.Equal(Math.Sqrt(2) * (max - min) / Math.Sqrt(norm2), r.Values("error")[n], 5);
            // φ̂·φ* = ‖φ*‖² − (max − min)²
            Assert.Equal((norm2 - (max - min) * (max - min)) / norm2, r.Values("cosine")[n], 5);
            // ranks 1 and K trade places: ρ = 1 − 6·2(K − 1)²/(K(K² − 1))
            Assert.Equal(1 - 6.0 * 2 * (k - 1) * (k - 1) / (k * (k * k - 1.0)), r.Values("spearman")[n], 12);
            // the largest leaves the top 10 and the smallest joins it
            Assert.Equal(0.9, r.Values("top_k_overlap")[n], 12);
        }
    }

    [Fact]
    public void Top_k_is_capped_by_the_number_of_maps()
    {
        var (ctx, _) = Setup(6, hidden: true, (p, _) => p.Select(v => -v).ToArray());
        var r = new ShapError().Evaluate(ctx);
        Assert.All(r.Values("top_k_overlap"), v => Assert.Equal(1, v));
        Assert.All(r.Values("spearman"), v => Assert.Equal(-1, v, 12));
        Assert.All(r.Values("error"), v => Assert.Equal(2, v, 5));
        Assert.Equal(2.0 / 3, new ShapError(topK: 3).Evaluate(Setup(6, true, (p, _) => p.Select((v, i) => i == Array.IndexOf(p, p.Max()) ? p.Min() - 1 : v).ToArray()).Ctx).Values("top_k_overlap")[0], 12);
    }

    [Fact]
    public void Gradcam_on_a_linear_gap_head_matches_sampled_shapley_values_of_many_maps()
    {
        // v(S) is additive on a GAP + linear head, so φ*_k = w_ck·mean(A_k) = Grad-CAM's α_k·Σ A_k; K = 24 > 20 forces sampling
        var g = TestNets.ConvGap(24, hidden: false);
        var images = TestNets.Random(5, 2, 3, 6, 6);
        var result = SaliencyCatalog.Create("gradcam").Explain(new ExplainContext { Graph = g, TargetLayer = Layer }, images, Targets);
        var ctx = new MetricContext { Graph = g, Images = images, Targets = Targets, Maps = result.Maps, TargetLayer = Layer, Saliency = result, BatchSize = 64 };
        var r = new ShapError(pairs: 4, maxPairs: 8).Evaluate(ctx);
        Assert.All(r.Values("error"), e => Assert.Equal(0, e, 4));
        Assert.All(r.Values("reference_rel_se"), se => Assert.InRange(se, 0, 1e-5));
    }

    [Fact]
    public void Sampling_stops_at_the_requested_standard_error_or_the_cap()
    {
        var g = TestNets.ConvGap(22, hidden: true);
        var images = TestNets.Random(5, 2, 3, 6, 6);
        var contributions = TestNets.Random(8, 2, 22);
        var ctx = new MetricContext
        {
            Graph = g, Images = images, Targets = Targets, Maps = new Tensor(2, 6, 6), TargetLayer = Layer, BatchSize = 128,
            Saliency = new SaliencyResult { Maps = new Tensor(2, 6, 6), ChannelContributions = contributions },
        };
        var capped = new ShapError(relativeSe: 1e-9, pairs: 4, maxPairs: 8).Evaluate(ctx).Values("reference_rel_se");
        Assert.All(capped, se => Assert.True(se > 1e-9, $"rel SE {se}"));
        var met = new ShapError(relativeSe: 0.05, pairs: 8, maxPairs: 4096).Evaluate(ctx).Values("reference_rel_se");
        Assert.All(met, se => Assert.InRange(se, 1e-12, 0.05));
    }

    [Fact]
    public void A_method_without_contributions_is_not_defined_not_a_crash()
    {
        var (ctx, _) = Setup(6, hidden: true);
        var r = new ShapError().Evaluate(ctx);
        Assert.Equal(2 * 5, r.Records.Count);
        Assert.All(r.Records, x => Assert.Contains("no channel contributions", x.NotDefinedReason));
        Assert.All(MetricSummary.Summarize("gradient", r.Records), s => Assert.Equal((0, 2), (s.N, s.NotDefined)));
    }

    [Fact]
    public void Constant_or_zero_contributions_are_not_defined_where_the_measure_is_not()
    {
        var (ctx, _) = Setup(6, hidden: true, (p, _) => new double[6]);
        var r = new ShapError().Evaluate(ctx);
        Assert.All(r.Values("error"), v => Assert.Equal(1, v, 12));
        Assert.Contains("all zero", r.Record(0, "cosine").NotDefinedReason);
        Assert.Contains("constant", r.Record(0, "spearman").NotDefinedReason);
    }

    [Fact]
    public void Contributions_of_the_wrong_size_or_a_missing_layer_are_refused()
    {
        var (ctx, _) = Setup(6, hidden: true, (p, _) => p);
        var wrong = new MetricContext
        {
            Graph = ctx.Graph, Images = ctx.Images, Targets = Targets, Maps = ctx.Maps, TargetLayer = Layer,
            Saliency = new SaliencyResult { Maps = ctx.Maps, ChannelContributions = new Tensor(2, 5) },
        };
        Assert.Contains("[2, 6]", Assert.Throws<ShapeException>(() => new ShapError().Evaluate(wrong)).Message);
        var noLayer = new MetricContext { Graph = ctx.Graph, Images = ctx.Images, Targets = Targets, Maps = ctx.Maps, Saliency = ctx.Saliency };
        Assert.Contains("target layer", Assert.Throws<EvalHarnessException>(() => new ShapError().Evaluate(noLayer)).Message);
    }
}
