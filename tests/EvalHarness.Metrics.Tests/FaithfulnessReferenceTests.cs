using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Metrics.Faithfulness;
using EvalHarness.Saliency;

namespace EvalHarness.Metrics.Tests;

/// <summary>The batched metrics against <see cref="SlowReference"/> on a random conv net, 3 images of 3×10×7, batch size 4.</summary>
public class FaithfulnessReferenceTests
{
    private static readonly int[] Targets = [1, 0, 3];

    private static MetricContext Context(Preprocessing? pre = null) => new()
    {
        Graph = TestNets.ConvGap(hidden: true),
        Images = TestNets.Random(3, 3, 3, 10, 7),
        Targets = Targets,
        Maps = TestNets.Maps(4, 3, 10, 7),
        Preprocessing = pre,
        BatchSize = 4,
        Seed = 21,
    };

    [Theory]
    [InlineData(false, "zero", 0, 0, true)]
    [InlineData(true, "blur", 0, 0, true)]
    [InlineData(true, "zero", 9, 0, false)]
    [InlineData(false, "mean", 0, 6, true)]
    [InlineData(false, "blur", 1, 0, false)]
    [InlineData(true, "noise", 13, 0, true)]
    public void Batched_causal_metric_equals_one_step_at_a_time(bool insertion, string substrate, int step, int steps, bool probability)
    {
        var ctx = Context();
        CausalMetric metric = insertion
            ? new Insertion(step, steps, substrate, probability ? "probability" : "logit")
            : new Deletion(step, steps, substrate, probability ? "probability" : "logit");
        var r = metric.Evaluate(ctx);
        Assert.Equal(3, r.Curves.Count);
        for (int n = 0; n < 3; n++)
        {
            var x = ctx.Images.Sample(n).ToArray();
            float[] sub = substrate switch
            {
                "zero" => new float[x.Length],
                "blur" => SlowReference.Blur(x, 3, 10, 7),
                "mean" => Enumerable.Range(0, x.Length).Select(i => MeanOfChannel(x, i / 70)).ToArray(),
                _ => Noise(ctx, n, insertion ? "insertion:noise" : "deletion:noise", x.Length),
            };
            var (auc, scores) = SlowReference.Causal(ctx.Graph, ctx.Images, n, Targets[n], ctx.Map(n), insertion, sub, step > 0 ? step : 7, steps, probability);
            Assert.Equal(auc, r.Values("auc")[n], 5);
            Assert.Equal(scores.Length, r.Curves[n].Y.Length);
            for (int i = 0; i < scores.Length; i++) Assert.Equal(scores[i], r.Curves[n].Y[i], 5);
        }
    }

    private static float MeanOfChannel(ReadOnlySpan<float> x, int c)
    {
        double s = 0;
        for (int i = 0; i < 70; i++) s += x[c * 70 + i];
        return (float)(s / 70);
    }

    /// <summary>The noise substrate's definition: standard normal values from the image's stream for this purpose.</summary>
    private static float[] Noise(MetricContext ctx, int n, string purpose, int length)
    {
        var rng = ctx.ExplainContext().RngFor(purpose, ctx.Images, n);
        return Enumerable.Range(0, length).Select(_ => (float)rng.NextGaussian()).ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Batched_average_drop_and_increase_equal_one_image_at_a_time(bool raw)
    {
        var pre = raw ? Preprocessing.Torchvision() : null;
        var ctx = Context(pre);
        var drop = new AverageDrop().Evaluate(ctx).Values("drop");
        var increase = new AverageIncrease().Evaluate(ctx).Values("increase");
        for (int n = 0; n < 3; n++)
        {
            var (y, o) = SlowReference.Confidence(ctx.Graph, ctx.Images, n, Targets[n], ctx.Map(n), pre);
            Assert.Equal(100 * Math.Max(0, y - o) / y, drop[n], 4);
            Assert.Equal(o > y ? 100 : 0, increase[n]);
        }
    }

    [Fact]
    public void Batch_size_does_not_change_the_values()
    {
        var a = new Insertion().Evaluate(Context()).Values("auc");
        var ctx = Context();
        var one = new MetricContext { Graph = ctx.Graph, Images = ctx.Images, Targets = ctx.Targets, Maps = ctx.Maps, BatchSize = 1, Seed = ctx.Seed };
        var b = new Insertion().Evaluate(one).Values("auc");
        for (int n = 0; n < 3; n++) Assert.Equal(a[n], b[n], 6);
    }

    [Fact]
    public void A_nan_map_in_the_middle_of_a_batch_leaves_the_others_intact()
    {
        var ctx = Context();
        var clean = new Deletion().Evaluate(ctx).Values("auc");
        var maps = ctx.Maps.Clone();
        maps[1, 4, 2] = float.NaN;
        var dirty = new Deletion().Evaluate(new MetricContext { Graph = ctx.Graph, Images = ctx.Images, Targets = ctx.Targets, Maps = maps, BatchSize = 4 });
        var v = dirty.Values("auc");
        Assert.Equal(clean[0], v[0], 6);
        Assert.True(double.IsNaN(v[1]));
        Assert.Equal(clean[2], v[2], 6);
        Assert.Equal(2, dirty.Curves.Count);
        var s = MetricSummary.Summarize("gradcam", dirty.Records).Single();
        Assert.Equal((2, 1), (s.N, s.NotDefined));
        Assert.Equal((clean[0] + clean[2]) / 2, s.Mean, 6);
    }

    [Fact]
    public void Noise_substrate_is_the_same_for_an_image_alone_or_in_a_batch()
    {
        var ctx = Context();
        var batched = new Deletion(substrate: "noise").Evaluate(ctx).Values("auc");
        var single = new Deletion(substrate: "noise").Evaluate(new MetricContext
        {
            Graph = ctx.Graph, Images = ctx.Images.SliceBatch(2, 1), Targets = [Targets[2]], Maps = ctx.Maps.SliceBatch(2, 1), Seed = ctx.Seed,
        }).Values("auc");
        Assert.Equal(batched[2], single[0], 6);
    }

    [Fact]
    public void Maps_of_the_wrong_size_are_refused_with_the_expected_shape()
    {
        var ctx = Context();
        foreach (var maps in new[] { new Tensor(3, 5, 7), new Tensor(2, 10, 7), new Tensor(3, 1, 10, 7) })
        {
            var bad = new MetricContext { Graph = ctx.Graph, Images = ctx.Images, Targets = ctx.Targets, Maps = maps };
            var ex = Assert.Throws<ShapeException>(() => new Deletion().Evaluate(bad));
            Assert.Contains("[3, 10, 7]", ex.Message);
        }
    }

    [Fact]
    public void A_target_outside_the_model_is_refused()
    {
        var ctx = Context();
        var bad = new MetricContext { Graph = ctx.Graph, Images = ctx.Images, Targets = [0, 9, 1], Maps = ctx.Maps };
        var ex = Assert.Throws<EvalHarnessException>(() => new AverageDrop().Evaluate(bad));
        Assert.Contains("outside the model's 4 classes", ex.Message);
    }

    [Fact]
    public void Step_and_steps_together_are_refused()
    {
        Assert.Throws<EvalHarnessException>(() => new Deletion(step: 3, steps: 4));
        Assert.Throws<EvalHarnessException>(() => new Deletion(steps: 71).Evaluate(Context()));
    }

    [Fact]
    public void Gradcam_maps_through_the_whole_pipeline_give_finite_values_in_range()
    {
        var ctx = Context();
        var maps = SaliencyCatalog.Create("gradcam").Explain(new ExplainContext { Graph = ctx.Graph, TargetLayer = "features.1" }, ctx.Images, Targets).Maps;
        var full = new MetricContext { Graph = ctx.Graph, Images = ctx.Images, Targets = Targets, Maps = maps, BatchSize = 5 };
        foreach (var name in new[] { "deletion", "insertion" })
            Assert.All(MetricCatalog.Create(name).Evaluate(full).Values("auc"), v => Assert.InRange(v, 0, 1));
        Assert.All(new AverageDrop().Evaluate(full).Values("drop"), v => Assert.InRange(v, 0, 100));
    }
}
