using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Metrics.Faithfulness;

namespace EvalHarness.Metrics.Tests;

/// <summary>
/// Deletion, insertion, Average Drop and Average Increase on a model whose score is a known function of
/// the pixels: 2 channels of 2×2 pixels, all x = 1, logit₀ = Σ w·x with channel-0 weights [4, 3, 2, 1]
/// and channel-1 weights [1, 1, 1, 1], logit₁ = 0. Pixel p contributes u = [5, 4, 3, 2] (Σ = 14);
/// p₀ = σ(logit₀).
/// </summary>
public class FaithfulnessClosedFormTests
{
    private static readonly float[] Weights = [4, 3, 2, 1, 1, 1, 1, 1];

    private static MetricContext Context(float[] map, float[]? weights = null, Preprocessing? pre = null) => new()
    {
        Graph = TestNets.PixelLinear(weights ?? Weights),
        Images = Tensor.Full(1f, 1, 2, 2, 2),
        Targets = [0],
        Maps = Tensor.FromArray(map, 1, 2, 2),
        Preprocessing = pre,
        BatchSize = 3,
    };

    private static double Trapezoid(params double[] a) => (a.Sum() - a[0] / 2 - a[^1] / 2) / (a.Length - 1);

    // map [0.9, 0.8, 0.1, 0.5] ranks pixels 0, 1, 3, 2
    private static readonly float[] Map = [0.9f, 0.8f, 0.1f, 0.5f];

    [Fact]
    public void Deletion_logit_auc_with_one_pixel_per_step()
    {
        var r = new Deletion(step: 1, score: "logit").Evaluate(Context(Map));
        // logits after deleting pixels 0, 1, 3, 2: 14, 9, 5, 3, 0 → (31 − 7 − 0)/4
        Assert.Equal(6.0, r.Values("auc")[0], 5);
        Assert.Equal([14, 9, 5, 3, 0], r.Curves[0].Y.Select(v => Math.Round(v, 4)));
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], r.Curves[0].X);
    }

    [Fact]
    public void Insertion_into_zeros_logit_auc()
    {
        var r = new Insertion(step: 1, substrate: "zero", score: "logit").Evaluate(Context(Map));
        // logits after inserting pixels 0, 1, 3, 2: 0, 5, 9, 11, 14 → (39 − 0 − 7)/4
        Assert.Equal(8.0, r.Values("auc")[0], 5);
    }

    [Fact]
    public void Deletion_probability_auc_is_the_trapezoid_of_sigmoids()
    {
        var r = new Deletion(step: 1).Evaluate(Context(Map));
        double expected = Trapezoid([.. new double[] { 14, 9, 5, 3, 0 }.Select(TestNets.Sigmoid)]);
        Assert.Equal(expected, r.Values("auc")[0], 6);
    }

    [Fact]
    public void A_step_that_does_not_divide_the_image_makes_the_last_step_smaller()
    {
        var r = new Deletion(step: 3, score: "logit").Evaluate(Context(Map));
        // n = ⌈4/3⌉ = 2: delete pixels {0, 1, 3}, then {2}: logits 14, 3, 0 → (17 − 7)/2
        Assert.Equal(5.0, r.Values("auc")[0], 5);
        Assert.Equal([0, 0.75, 1], r.Curves[0].X);
        Assert.Contains("last step 1", r.Protocol);
    }

    [Fact]
    public void A_step_larger_than_the_image_is_one_step()
    {
        var r = new Deletion(step: 100, score: "logit").Evaluate(Context(Map));
        Assert.Equal((14.0 + 0) / 2, r.Values("auc")[0], 5);
    }

    [Fact]
    public void The_default_step_is_the_image_width()
    {
        var r = new Deletion(score: "logit").Evaluate(Context(Map));
        // 2 pixels per step: logits 14, 5, 0 → (19 − 7)/2
        Assert.Equal(6.0, r.Values("auc")[0], 5);
    }

    [Fact]
    public void A_step_count_splits_the_pixels_evenly()
    {
        var r = new Deletion(steps: 3, score: "logit").Evaluate(Context(Map));
        // boundaries ⌊i·4/3⌋ = 0, 1, 2, 4: logits 14, 9, 5, 0 → (28 − 7)/3
        Assert.Equal(7.0, r.Values("auc")[0], 5);
    }

    [Fact]
    public void Ties_are_broken_by_pixel_index()
    {
        // pixels 1 and 3 tie at 0.7: 1 goes first, then 3, 2, 0 → logits 14, 10, 8, 5, 0
        var r = new Deletion(step: 1, score: "logit").Evaluate(Context([0.1f, 0.7f, 0.2f, 0.7f]));
        Assert.Equal(Trapezoid(14, 10, 8, 5, 0), r.Values("auc")[0], 5);
        Assert.Equal([1, 3, 2, 0], SaliencyOrder.Descending([0.1f, 0.7f, 0.2f, 0.7f]));
        Assert.Equal([0, 1, 2], SaliencyOrder.Descending([-0f, 0f, -1f]));
        Assert.Equal([2, 0, 1, 3], SaliencyOrder.Descending([-2f, -3f, float.MaxValue, float.NegativeInfinity]));
    }

    [Fact]
    public void Average_drop_with_soft_masking_in_normalised_space()
    {
        // map already in [0, 1] with min 0, max 1: O logit = 5·1 + 4·0.5 + 3·0 + 2·0.25 = 7.5
        var r = new AverageDrop().Evaluate(Context([1f, 0.5f, 0f, 0.25f]));
        double y = TestNets.Sigmoid(14), o = TestNets.Sigmoid(7.5);
        Assert.Equal(100 * (y - o) / y, r.Values("drop")[0], 5);
        Assert.Contains("normalised space", r.Protocol);
        Assert.Contains("no preprocessing given", r.Protocol);
    }

    [Fact]
    public void Average_drop_masks_raw_pixels_when_the_preprocessing_is_known()
    {
        var pre = new Preprocessing { Mean = [0.5f, -1f], Std = [2f, 0.5f] };
        var r = new AverageDrop().Evaluate(Context([1f, 0.5f, 0f, 0.25f], pre: pre));
        // channel 0: ((1·2 + 0.5)·m − 0.5)/2 = 1.25m − 0.25; channel 1: ((1·0.5 − 1)·m + 1)/0.5 = 2 − m
        // logit = Σ w₀(1.25m − 0.25) + Σ (2 − m) = 1.25·5.75 − 0.25·10 + 8 − 1.75 = 10.9375
        double y = TestNets.Sigmoid(14), o = TestNets.Sigmoid(10.9375);
        Assert.Equal(100 * (y - o) / y, r.Values("drop")[0], 5);
        Assert.Contains("raw pixels", r.Protocol);
        var normalised = new AverageDrop(new ConfidenceMasking(pixelSpace: "normalized")).Evaluate(Context([1f, 0.5f, 0f, 0.25f], pre: pre));
        Assert.Equal(100 * (y - TestNets.Sigmoid(7.5)) / y, normalised.Values("drop")[0], 5);
    }

    [Fact]
    public void Raw_pixel_masking_without_preprocessing_is_refused()
    {
        var ex = Assert.Throws<EvalHarnessException>(() => new AverageDrop(new ConfidenceMasking(pixelSpace: "raw")).Evaluate(Context(Map)));
        Assert.Contains("preprocessing", ex.Message);
    }

    [Fact]
    public void Min_max_scaling_maps_the_map_onto_zero_one_first()
    {
        // 2·m − 3 for m = [1, 0.5, 0, 0.25] scales back to m
        var scaled = new AverageDrop().Evaluate(Context([-1f, -2f, -3f, -2.5f]));
        var plain = new AverageDrop().Evaluate(Context([1f, 0.5f, 0f, 0.25f]));
        Assert.Equal(plain.Values("drop")[0], scaled.Values("drop")[0], 5);
        var none = new AverageDrop(new ConfidenceMasking(mapScaling: "none")).Evaluate(Context([-1f, -2f, -3f, -2.5f]));
        Assert.False(none.Records[0].IsDefined);
        Assert.Contains("outside [0, 1]", none.Records[0].NotDefinedReason);
    }

    [Fact]
    public void Removing_negative_evidence_is_an_increase_and_no_drop()
    {
        float[] w = [4, 3, 2, -10, 0, 0, 0, 0];
        // Y logit = 4 + 3 + 2 − 10 = −1; the map keeps pixels 0–2 only: O logit = 9
        var drop = new AverageDrop().Evaluate(Context([1f, 1f, 1f, 0f], w));
        var increase = new AverageIncrease().Evaluate(Context([1f, 1f, 1f, 0f], w));
        Assert.Equal(0, drop.Values("drop")[0]);
        Assert.Equal(100, increase.Values("increase")[0]);
    }

    [Fact]
    public void Equal_confidence_is_not_an_increase()
    {
        // an all-ones map used as given leaves the image unchanged: O = Y exactly
        var masking = new ConfidenceMasking(mapScaling: "none");
        Assert.Equal(0, new AverageIncrease(masking).Evaluate(Context([1f, 1f, 1f, 1f])).Values("increase")[0]);
        Assert.Equal(0, new AverageDrop(masking).Evaluate(Context([1f, 1f, 1f, 1f])).Values("drop")[0]);
        // also on raw pixels, where un-normalising and normalising again must not create a spurious increase
        var pre = new Preprocessing { Mean = [0.485f, 0.456f], Std = [0.229f, 0.224f] };
        var images = TestNets.Random(3, 1, 2, 2, 2);
        var ctx = new MetricContext
        {
            Graph = TestNets.PixelLinear([0.3f, -1.7f, 2.9f, 0.1f, -0.6f, 1.3f, 0.7f, -2.2f]), Images = images, Targets = [0],
            Maps = Tensor.Full(1f, 1, 2, 2), Preprocessing = pre,
        };
        Assert.Equal(0, new AverageIncrease(masking).Evaluate(ctx).Values("increase")[0]);
        Assert.Equal(0, new AverageDrop(masking).Evaluate(ctx).Values("drop")[0]);
    }

    [Fact]
    public void A_constant_map_scaled_by_min_max_masks_everything()
    {
        var r = new AverageDrop().Evaluate(Context([0.3f, 0.3f, 0.3f, 0.3f]));
        double y = TestNets.Sigmoid(14);
        Assert.Equal(100 * (y - 0.5) / y, r.Values("drop")[0], 5);
    }

    [Fact]
    public void Top_fraction_keeps_the_most_salient_pixels()
    {
        float[] map = [0.1f, 0.7f, 0.2f, 0.7f];
        double y = TestNets.Sigmoid(14);
        // half of 4 pixels: ranks 1, 3 kept → O logit = 4 + 2
        var half = new AverageDrop(new ConfidenceMasking(masking: "top-fraction")).Evaluate(Context(map));
        Assert.Equal(100 * (y - TestNets.Sigmoid(6)) / y, half.Values("drop")[0], 5);
        // ⌈0.6·4⌉ = 3 pixels: 1, 3, 2 → 4 + 2 + 3
        var more = new AverageDrop(new ConfidenceMasking(masking: "top-fraction", fraction: 0.6)).Evaluate(Context(map));
        Assert.Equal(100 * (y - TestNets.Sigmoid(9)) / y, more.Values("drop")[0], 5);
    }

    [Fact]
    public void Nan_maps_are_not_defined_and_counted()
    {
        float[] bad = [0.1f, float.NaN, 0.2f, 0.7f];
        foreach (IMetric metric in new IMetric[] { new Deletion(), new Insertion(), new AverageDrop(), new AverageIncrease() })
        {
            var r = metric.Evaluate(Context(bad));
            var rec = Assert.Single(r.Records);
            Assert.False(rec.IsDefined);
            Assert.True(double.IsNaN(rec.Value));
            Assert.Contains("NaN", rec.NotDefinedReason);
            var summary = Assert.Single(MetricSummary.Summarize("m", r.Records));
            Assert.Equal(0, summary.N);
            Assert.Equal(1, summary.NotDefined);
        }
    }
}
