using EvalHarness.Engine;
using EvalHarness.Saliency.Gradients;
using EvalHarness.Saliency.Methods;

namespace EvalHarness.Saliency.Tests;

/// <summary>
/// Gradient-family methods against <see cref="SlowConvGap"/> (a float64 re-implementation with a
/// hand-written backward pass, itself checked against central differences) on the tiny conv net.
/// </summary>
public class GradientMethodTests
{
    private static (ExplainContext Ctx, Tensor X, int[] Targets, SlowConvGap Slow) Setup(int batchSize = 4)
    {
        var g = TinyNets.ConvGap(hiddenLayer: true);
        var ctx = new ExplainContext { Graph = g, TargetLayer = "features.1", BatchSize = batchSize, Seed = 5 };
        return (ctx, TinyNets.Images(3), [1, 0, 3], new SlowConvGap(g));
    }

    /// <summary>max |a − b| ≤ tol · max |b| over the whole tensor.</summary>
    private static void AssertClose(double[,,] expected, ReadOnlySpan<float> actual, double tol = 1e-5)
    {
        var e = expected.Cast<double>().ToArray();
        Assert.Equal(e.Length, actual.Length);
        double scale = e.Max(Math.Abs), worst = 0;
        for (int i = 0; i < e.Length; i++) worst = Math.Max(worst, Math.Abs(e[i] - actual[i]));
        Assert.True(worst <= tol * Math.Max(scale, 1e-12), $"max error {worst:E3} vs scale {scale:E3}");
    }

    private static void Near(double expected, double actual, double tol) =>
        Assert.True(Math.Abs(expected - actual) <= tol, $"expected {expected}, got {actual} (tolerance {tol})");

    [Fact]
    public void Slow_reference_backward_agrees_with_central_differences()
    {
        var (_, x, t, slow) = Setup();
        var img = SlowConvGap.Image(x, 0);
        var g = slow.Backward(img, t[0]);
        const double h = 1e-6;
        foreach (var (c, y, xx) in new[] { (0, 0, 0), (1, 3, 4), (2, 7, 7), (0, 5, 2) })
        {
            double v = img[c, y, xx];
            img[c, y, xx] = v + h;
            double up = slow.Logits(img)[t[0]];
            img[c, y, xx] = v - h;
            double down = slow.Logits(img)[t[0]];
            img[c, y, xx] = v;
            Assert.Equal((up - down) / (2 * h), g[c, y, xx], 6);
        }
    }

    [Theory]
    [InlineData("gradient", 0)]
    [InlineData("guidedbackprop", 1)]
    [InlineData("deconvnet", 2)]
    public void Modified_gradients_match_the_slow_backward(string method, int reluMode)
    {
        var mode = (SlowConvGap.ReluMode)reluMode;
        var (ctx, x, t, slow) = Setup(batchSize: 2); // two chunks
        var r = SaliencyCatalog.Create(method).Explain(ctx, x, t);
        var a = r.Extras["attribution"];
        for (int n = 0; n < 3; n++) AssertClose(slow.Backward(SlowConvGap.Image(x, n), t[n], mode), a.Sample(n));
        Assert.True(a.Data.Count(v => v != 0) > a.Length / 4, "most attributions are non-zero");
        // Map: max over channels of |a|, divided by its maximum.
        for (int n = 0; n < 3; n++)
        {
            var g = slow.Backward(SlowConvGap.Image(x, n), t[n], mode);
            var m = new double[x.H, x.W];
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < x.H; i++)
                    for (int j = 0; j < x.W; j++) m[i, j] = Math.Max(m[i, j], Math.Abs(g[c, i, j]));
            double max = m.Cast<double>().Max();
            for (int i = 0; i < x.H; i++)
                for (int j = 0; j < x.W; j++) Near(max > 0 ? m[i, j] / max : 0, r.Maps[n, i, j], 1e-5);
        }
    }

    [Fact]
    public void Guided_and_deconvnet_differ_from_the_gradient_on_this_net()
    {
        var (ctx, x, t, _) = Setup();
        var plain = new Gradient().Explain(ctx, x, t).Extras["attribution"].Data;
        Assert.NotEqual(plain, new GuidedBackprop().Explain(ctx, x, t).Extras["attribution"].Data);
        Assert.NotEqual(plain, new Deconvnet().Explain(ctx, x, t).Extras["attribution"].Data);
    }

    [Fact]
    public void Input_x_gradient_is_the_product_and_its_map_the_absolute_channel_sum()
    {
        var (ctx, x, t, slow) = Setup();
        var r = new InputXGradient().Explain(ctx, x, t);
        for (int n = 0; n < 3; n++)
        {
            var img = SlowConvGap.Image(x, n);
            var g = slow.Backward(img, t[n]);
            var prod = new double[3, x.H, x.W];
            var m = new double[x.H, x.W];
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < x.H; i++)
                    for (int j = 0; j < x.W; j++)
                    {
                        prod[c, i, j] = img[c, i, j] * g[c, i, j];
                        m[i, j] += prod[c, i, j];
                    }
            AssertClose(prod, r.Extras["attribution"].Sample(n));
            double max = m.Cast<double>().Max(Math.Abs);
            for (int i = 0; i < x.H; i++)
                for (int j = 0; j < x.W; j++)
                {
                    Near(Math.Abs(m[i, j]) / max, r.Maps[n, i, j], 1e-5);
                    Near(Math.Abs(m[i, j]), r.Extras["raw_map"][n, i, j], 1e-5 * max);
                }
        }
    }

    [Theory]
    [InlineData("gradient")]
    [InlineData("absolute")]
    [InlineData("squared")]
    public void SmoothGrad_averages_the_gradient_over_the_seeded_noisy_copies(string average)
    {
        var (ctx, x, t, slow) = Setup(batchSize: 3);
        const int samples = 7;
        var r = new SmoothGrad(samples, 0.2, average).Explain(ctx, x, t);
        for (int n = 0; n < 3; n++)
        {
            var img = SlowConvGap.Image(x, n);
            var flat = img.Cast<double>().ToArray();
            double sigma = 0.2 * (flat.Max() - flat.Min());
            Assert.Equal(sigma, r.Extras["sigma"][n], 5);
            var rng = ctx.RngFor("smoothgrad", x, n);
            var mean = new double[3, x.H, x.W];
            for (int s = 0; s < samples; s++)
            {
                var noisy = new double[3, x.H, x.W];
                for (int c = 0; c < 3; c++)
                    for (int i = 0; i < x.H; i++)
                        for (int j = 0; j < x.W; j++)
                            noisy[c, i, j] = (float)(x[n, c, i, j] + (float)sigma * (float)rng.NextGaussian());
                var g = slow.Backward(noisy, t[n]);
                for (int c = 0; c < 3; c++)
                    for (int i = 0; i < x.H; i++)
                        for (int j = 0; j < x.W; j++)
                            mean[c, i, j] += average switch { "gradient" => g[c, i, j], "absolute" => Math.Abs(g[c, i, j]), _ => g[c, i, j] * g[c, i, j] } / samples;
            }
            AssertClose(mean, r.Extras["attribution"].Sample(n), 2e-5);
        }
    }

    [Fact]
    public void SmoothGrad_without_noise_is_the_gradient_and_the_seed_changes_the_noise()
    {
        var (ctx, x, t, _) = Setup();
        var plain = new Gradient().Explain(ctx, x, t).Extras["attribution"].Data;
        var quiet = new SmoothGrad(3, 0).Explain(ctx, x, t).Extras["attribution"].Data;
        for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i], quiet[i], 5);
        var a = new SmoothGrad(5).Explain(ctx, x, t).Maps.Data;
        var other = new ExplainContext { Graph = ctx.Graph, BatchSize = ctx.BatchSize, Seed = ctx.Seed + 1 };
        Assert.NotEqual(a, new SmoothGrad(5).Explain(other, x, t).Maps.Data);
    }

    [Theory]
    [InlineData("riemann_trapezoid", 16)]
    [InlineData("riemann_right", 9)]
    [InlineData("riemann_left", 9)]
    [InlineData("riemann_middle", 9)]
    [InlineData("gausslegendre", 12)]
    public void Integrated_gradients_match_the_slow_path_integral(string method, int steps)
    {
        var (ctx, x, t, slow) = Setup(batchSize: 5);
        const float baselineValue = -0.25f;
        var r = new IntegratedGradients(steps, method, baselineValue).Explain(ctx, x, t);
        var q = new PathQuadrature(method, steps);
        for (int n = 0; n < 3; n++)
        {
            var img = SlowConvGap.Image(x, n);
            var sum = new double[3, x.H, x.W];
            for (int s = 0; s < steps; s++)
            {
                var point = new double[3, x.H, x.W];
                for (int c = 0; c < 3; c++)
                    for (int i = 0; i < x.H; i++)
                        for (int j = 0; j < x.W; j++)
                            point[c, i, j] = baselineValue + q.Alphas[s] * (img[c, i, j] - baselineValue);
                var g = slow.Backward(point, t[n]);
                for (int c = 0; c < 3; c++)
                    for (int i = 0; i < x.H; i++)
                        for (int j = 0; j < x.W; j++) sum[c, i, j] += q.Weights[s] * g[c, i, j];
            }
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < x.H; i++)
                    for (int j = 0; j < x.W; j++) sum[c, i, j] *= img[c, i, j] - baselineValue;
            AssertClose(sum, r.Extras["attribution"].Sample(n), 2e-5);
        }
    }

    [Fact]
    public void Integrated_gradients_are_complete_within_one_percent_at_256_steps()
    {
        var (ctx, x, t, slow) = Setup(batchSize: 64);
        var baseline = new Tensor(1, 3, 8, 8);
        var r = new IntegratedGradients(256, "riemann_trapezoid", baseline: baseline.Reshape(3, 8, 8), reportCompleteness: true).Explain(ctx, x, t);
        var b = SlowConvGap.Image(baseline, 0);
        for (int n = 0; n < 3; n++)
        {
            double expected = slow.Logits(SlowConvGap.Image(x, n))[t[n]] - slow.Logits(b)[t[n]];
            double total = r.Extras["attribution"].Sample(n).ToArray().Sum(v => (double)v);
            Assert.True(Math.Abs(total - expected) <= 0.01 * Math.Abs(expected), $"image {n}: Σa = {total}, f(x) − f(x') = {expected}");
            Assert.Equal(total - expected, r.Extras["completeness_gap"][n], 4);
        }
    }

    [Fact]
    public void Gauss_legendre_points_are_the_known_ones_and_integrate_polynomials_exactly()
    {
        var q3 = new PathQuadrature("gausslegendre", 3);
        double r = Math.Sqrt(0.6);
        Assert.Equal([(1 - r) / 2, 0.5, (1 + r) / 2], q3.Alphas, new Tolerance(1e-15));
        Assert.Equal([5.0 / 18, 8.0 / 18, 5.0 / 18], q3.Weights, new Tolerance(1e-15));
        foreach (int n in new[] { 1, 2, 7, 50, 128 })
        {
            var q = new PathQuadrature("gausslegendre", n);
            int degree = 2 * n - 1;
            foreach (int p in new[] { 0, 1, degree / 2, degree })
            {
                double integral = q.Alphas.Zip(q.Weights, (a, w) => w * Math.Pow(a, p)).Sum();
                Assert.Equal(1.0 / (p + 1), integral, 12);
            }
            Assert.True(q.Alphas.Zip(q.Alphas.Skip(1), (a, b) => a < b).All(v => v), "ascending nodes");
        }
        var trap = new PathQuadrature("riemann_trapezoid", 5);
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], trap.Alphas);
        Assert.Equal([0.125, 0.25, 0.25, 0.25, 0.125], trap.Weights);
    }

    private sealed class Tolerance(double tol) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tol;

        public int GetHashCode(double obj) => 0;
    }

    [Fact]
    public void Guided_gradcam_is_guided_backprop_times_the_gradcam_map()
    {
        var (ctx, x, t, _) = Setup();
        var guided = new GuidedBackprop().Explain(ctx, x, t).Extras["attribution"];
        var cam = new GradCam().Explain(ctx, x, t).Maps;
        var r = new GuidedGradCam().Explain(ctx, x, t);
        for (int n = 0; n < 3; n++)
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < x.H; i++)
                    for (int j = 0; j < x.W; j++)
                        Assert.Equal(guided[n, c, i, j] * cam[n, i, j], r.Extras["attribution"][n, c, i, j], 6);
        Assert.Equal(cam.Data, r.Extras["gradcam"].Data);
    }

    [Fact]
    public void Bad_parameters_are_clear_errors()
    {
        var ex = Assert.Throws<EvalHarnessException>(() => SaliencyCatalog.Create("integratedgradients", new Dictionary<string, string> { ["steps"] = "0" }));
        Assert.Contains("steps", ex.Message);
        var ex2 = Assert.Throws<EvalHarnessException>(() => new IntegratedGradients(1, "riemann_trapezoid"));
        Assert.Contains("at least 2", ex2.Message);
        var ex3 = Assert.Throws<UnknownNameException>(() => SaliencyCatalog.Create("integratedgradients", new Dictionary<string, string> { ["method"] = "riemann_trapezium" }));
        Assert.Contains("riemann_trapezoid", ex3.Message);
        var ex4 = Assert.Throws<UnknownNameException>(() => SaliencyCatalog.Create("gradient", new Dictionary<string, string> { ["map"] = "absmax" }));
        Assert.Contains("abs-max", ex4.Message);
        Assert.Throws<EvalHarnessException>(() => SaliencyCatalog.Create("smoothgrad", new Dictionary<string, string> { ["samples"] = "0" }));
        var (ctx, x, t, _) = Setup();
        var wrong = new IntegratedGradients(4, baseline: new Tensor(3, 7, 8));
        var ex5 = Assert.Throws<ShapeException>(() => wrong.Explain(ctx, x, t));
        Assert.Contains("baseline", ex5.Message);
    }

    [Fact]
    public void Descriptors_and_parameters_use_the_invariant_culture()
    {
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Contains("σ=0.25", SaliencyCatalog.Create("smoothgrad", new Dictionary<string, string> { ["noise"] = "0.25" }).Descriptor.Source);
            Assert.Contains("baseline 0.5", SaliencyCatalog.Create("integratedgradients", new Dictionary<string, string> { ["baseline"] = "0.5" }).Descriptor.Source);
            Assert.Contains("p=0.3", SaliencyCatalog.Create("rise", new Dictionary<string, string> { ["p"] = "0.3" }).Descriptor.Source);
            Assert.NotNull(SaliencyCatalog.Create("lrp", new Dictionary<string, string> { ["low"] = "-2.5", ["high"] = "2.5", ["composite"] = "epsilon-gamma-box" }));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void An_all_zero_attribution_gives_an_all_zero_map_not_nan()
    {
        var maps = AttributionMaps.NormalizeByMax(new Tensor(2, 3, 3));
        Assert.All(maps.Data, v => Assert.Equal(0f, v));
    }
}
