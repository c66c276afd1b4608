using EvalHarness.Engine;
using EvalHarness.Saliency.Methods;
using EvalHarness.Saliency.Perturbation;

namespace EvalHarness.Saliency.Tests;

/// <summary>RISE masks against hand-derived interpolation, their statistics, and the saliency sum against a slow reference.</summary>
public class RiseTests
{
    [Fact]
    public void A_two_by_two_grid_is_upsampled_with_half_pixel_centres_and_mirrored_edges()
    {
        // s = 2, 4×4 image: cell c = 2, upsampled size 6, t(o) = (o + ½)·2/6 − ½ = −⅓, 0, ⅓, ⅔, 1, 4/3, mirrored
        // to ⅓, 0, ⅓, ⅔, 1, ⅔. The weight of grid row/column 0 is 1 − t: ⅔, 1, ⅔, ⅓, 0, ⅓.
        double[] a = [2.0 / 3, 1, 2.0 / 3, 1.0 / 3, 0, 1.0 / 3];
        double[] b = a.Select(v => 1 - v).ToArray();
        var set = RiseMasks.For(4, 4, 64, 2, 0.5, seed: 17);
        var mask = new float[16];
        for (int i = 0; i < set.Count; i++)
        {
            set.Render(i, mask);
            var (sr, sc) = set.Shift(i);
            Assert.InRange(sr, 0, 1);
            Assert.InRange(sc, 0, 1);
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 4; x++)
                {
                    double[] wr = [a[sr + y], b[sr + y]], wc = [a[sc + x], b[sc + x]];
                    double expected = 0;
                    for (int r = 0; r < 2; r++)
                        for (int c = 0; c < 2; c++)
                            if (set.Cell(i, r, c)) expected += wr[r] * wc[c];
                    Assert.Equal(expected, mask[y * 4 + x], 6);
                }
        }
    }

    [Fact]
    public void The_mean_of_many_masks_converges_to_the_keep_probability()
    {
        foreach (double p in new[] { 0.5, 0.2 })
        {
            var set = RiseMasks.For(20, 15, 4000, 7, p, seed: 3);
            var mask = new float[300];
            var mean = new double[300];
            for (int i = 0; i < set.Count; i++)
            {
                set.Render(i, mask);
                for (int j = 0; j < 300; j++) mean[j] += mask[j] / 4000.0;
            }
            // Each pixel is a convex combination of ≤ 4 Bernoulli(p) cells: its mean over N masks has sd ≤ sqrt(p(1−p)/N) ≈ 0.008.
            Assert.All(mean, m => Assert.InRange(m, p - 0.04, p + 0.04));
            Assert.InRange(mean.Average(), p - 0.01, p + 0.01);
            Assert.All(Enumerable.Range(0, 50), i => { set.Render(i, mask); Assert.All(mask, v => Assert.InRange(v, 0f, 1f)); });
        }
    }

    [Fact]
    public void Masks_depend_on_the_seed_only_and_are_shared()
    {
        var a = RiseMasks.For(9, 9, 10, 3, 0.5, seed: 1);
        Assert.Same(a, RiseMasks.For(9, 9, 10, 3, 0.5, seed: 1));
        var b = RiseMasks.For(9, 9, 10, 3, 0.5, seed: 2);
        bool differ = false;
        for (int i = 0; i < 10; i++)
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++) differ |= a.Cell(i, r, c) != b.Cell(i, r, c);
        Assert.True(differ);
    }

    [Fact]
    public void Saliency_is_the_probability_weighted_mask_sum_over_n_p()
    {
        var g = TinyNets.ConvGap(hiddenLayer: true);
        var ctx = new ExplainContext { Graph = g, BatchSize = 7, Seed = 4 };
        var x = TinyNets.Images(2);
        int[] t = [2, 1];
        var r = new Rise(masks: 30, cells: 3, keep: 0.4).Explain(ctx, x, t);
        var set = RiseMasks.For(8, 8, 30, 3, 0.4, 4);
        var mask = new float[64];
        for (int n = 0; n < 2; n++)
        {
            var expected = new double[64];
            for (int i = 0; i < 30; i++)
            {
                set.Render(i, mask);
                var masked = new Tensor(1, 3, 8, 8);
                for (int c = 0; c < 3; c++)
                    for (int j = 0; j < 64; j++) masked.Data[c * 64 + j] = x.Data[(n * 3 + c) * 64 + j] * mask[j];
                var logits = g.Forward(masked, recordForBackward: false).Output.Data.Select(v => (double)v).ToArray();
                double max = logits.Max();
                double prob = Math.Exp(logits[t[n]] - max) / logits.Sum(v => Math.Exp(v - max));
                for (int j = 0; j < 64; j++) expected[j] += prob * mask[j] / (30 * 0.4);
            }
            for (int j = 0; j < 64; j++) Assert.Equal(expected[j], r.Extras["saliency"].Data[n * 64 + j], 5);
            double lo = expected.Min(), hi = expected.Max();
            for (int j = 0; j < 64; j++) Assert.Equal((expected[j] - lo) / (hi - lo), r.Maps.Data[n * 64 + j], 4);
        }
    }

    [Fact]
    public void Same_seed_gives_identical_maps_and_another_seed_other_maps()
    {
        var g = TinyNets.ConvGap(hiddenLayer: true);
        var x = TinyNets.Images(1);
        Tensor Run(ulong seed) => new Rise(200).Explain(new ExplainContext { Graph = g, Seed = seed, BatchSize = 16 }, x, [0]).Maps;
        Assert.Equal(Run(8).Data, Run(8).Data);
        Assert.NotEqual(Run(8).Data, Run(9).Data);
    }

    [Theory]
    [InlineData("masks", "0", "N = 0")]
    [InlineData("p", "0", "strictly between 0 and 1")]
    [InlineData("p", "1", "strictly between 0 and 1")]
    [InlineData("p", "1.5", "strictly between 0 and 1")]
    [InlineData("cells", "0", "s = 0")]
    public void Bad_parameters_are_clear_errors(string name, string value, string message)
    {
        var ex = Assert.Throws<EvalHarnessException>(() => SaliencyCatalog.Create("rise", new Dictionary<string, string> { [name] = value }));
        Assert.Contains(message, ex.Message);
    }
}
