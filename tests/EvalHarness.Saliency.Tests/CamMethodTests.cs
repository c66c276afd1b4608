using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Layers;
using EvalHarness.Saliency.Methods;
using EvalHarness.Saliency.Shapley;

namespace EvalHarness.Saliency.Tests;

/// <summary>
/// CAM variants against hand derivations on a GAP+linear head (where G_kij = w_ck/(h·w) exactly) and
/// against slow double-precision re-implementations of each paper's formula.
/// </summary>
public class CamMethodTests
{
    private const string Layer = "features.1";

    private static (ExplainContext Ctx, Tensor X, int[] Targets, Tensor A, Tensor W) Setup(bool hidden = false)
    {
        var g = TinyNets.ConvGap(hiddenLayer: hidden);
        var ctx = new ExplainContext { Graph = g, TargetLayer = Layer, BatchSize = 7, Seed = 3 };
        var x = TinyNets.Images(3);
        var a = g.ForwardTo(x, Layer).Output;
        var w = hidden ? new Tensor(1) : ((Linear)g.NodeOf("fc").Layer).Weight.Value;
        return (ctx, x, [0, 2, 3], a, w);
    }

    private static double Sum(Tensor a, int n, int k)
    {
        int hw = a.H * a.W;
        double s = 0;
        for (int i = 0; i < hw; i++) s += a.Data[(n * a.C + k) * hw + i];
        return s;
    }

    [Fact]
    public void GradCam_weights_on_a_linear_head_are_classifier_weights_over_area()
    {
        var (ctx, x, t, a, w) = Setup();
        var r = new GradCam().Explain(ctx, x, t);
        int hw = a.H * a.W;
        for (int n = 0; n < 3; n++)
            for (int k = 0; k < a.C; k++)
                Assert.Equal(w[t[n], k] / hw, r.ChannelWeights![n, k], 6);
    }

    [Fact]
    public void Cam_uses_classifier_weights_and_matches_gradcam_maps_on_a_gap_linear_head()
    {
        var (ctx, x, t, _, w) = Setup();
        var cam = new ClassActivationMap().Explain(ctx, x, t);
        var grad = new GradCam().Explain(ctx, x, t);
        for (int n = 0; n < 3; n++) Assert.Equal(w[t[n], 1], cam.ChannelWeights![n, 1]);
        for (int i = 0; i < cam.Maps.Length; i++) Assert.Equal(grad.Maps.Data[i], cam.Maps.Data[i], 4);
    }

    [Fact]
    public void Cam_refuses_a_head_that_is_not_gap_plus_linear()
    {
        var (ctx, x, t, _, _) = Setup(hidden: true);
        var ex = Assert.Throws<EvalHarnessException>(() => new ClassActivationMap().Explain(ctx, x, t));
        Assert.Contains("global average pooling", ex.Message);
    }

    [Fact]
    public void LiftCam_and_AblationCam_on_a_linear_head_recover_exact_shapley_values()
    {
        var (ctx, x, t, a, _) = Setup();
        var lift = new LiftCam().Explain(ctx, x, t);
        var ablation = new AblationCam().Explain(ctx, x, t);
        var logits = ctx.Graph.Forward(x, recordForBackward: false).Output;
        for (int n = 0; n < 3; n++)
        {
            var phi = new ActivationShapley(ctx, Layer).Compute(a.SliceBatch(n, 1), t[n]);
            float y = logits[n, t[n]];
            for (int k = 0; k < a.C; k++)
            {
                Assert.Equal(phi.Values[k], lift.ChannelContributions![n, k], 5);       // DeepLIFT = Shapley for a linear head
                Assert.Equal(phi.Values[k] / y, ablation.ChannelWeights![n, k], 4);      // (y − y_{A_k=0}) / y
            }
        }
    }

    [Fact]
    public void LiftCam_deeplift_sums_satisfy_summation_to_delta_on_a_nonlinear_head()
    {
        var (ctx, x, t, a, _) = Setup(hidden: true);
        var lift = new LiftCam().Explain(ctx, x, t);
        var full = ctx.Graph.Forward(x, recordForBackward: false).Output;
        var empty = ctx.Graph.ForwardFrom(Layer, new Tensor(a.ShapeArray), recordForBackward: false).Output;
        for (int n = 0; n < 3; n++)
        {
            double total = 0;
            for (int k = 0; k < a.C; k++) total += lift.ChannelContributions![n, k];
            Assert.Equal(full[n, t[n]] - empty[n, t[n]], total, 4); // DeepLIFT summation-to-delta
        }
    }

    [Fact]
    public void GradCamPlusPlus_XGradCam_LayerCam_match_slow_reimplementations()
    {
        var (ctx, x, t, a, _) = Setup(hidden: true);
        var run = ctx.Graph.Forward(x);
        run.BackwardFromClasses(t);
        var g = run.Gradient(Layer)!;
        int hw = a.H * a.W;
        var pp = new GradCamPlusPlus().Explain(ctx, x, t);
        var xg = new XGradCam().Explain(ctx, x, t);
        var lc = new LayerCam().Explain(ctx, x, t);
        for (int n = 0; n < 3; n++)
        {
            for (int k = 0; k < a.C; k++)
            {
                double sumA = Sum(a, n, k), wpp = 0, wx = 0;
                for (int i = 0; i < hw; i++)
                {
                    int o = (n * a.C + k) * hw + i;
                    double gi = g.Data[o];
                    double aij = gi == 0 ? 0 : gi * gi / (2 * gi * gi + sumA * gi * gi * gi + 1e-6);
                    wpp += aij * Math.Max(gi, 0);
                    wx += a.Data[o] / (sumA + 1e-7) * gi;
                }
                Assert.Equal(wpp, pp.ChannelWeights![n, k], 5);
                Assert.Equal(wx, xg.ChannelWeights![n, k], 5);
            }
            for (int i = 0; i < hw; i++)
            {
                double raw = 0;
                for (int k = 0; k < a.C; k++)
                {
                    int o = (n * a.C + k) * hw + i;
                    raw += Math.Max(g.Data[o], 0) * a.Data[o];
                }
                Assert.Equal(raw, lc.RawMaps![n, i / a.W, i % a.W], 5);
            }
        }
    }

    [Fact]
    public void ScoreCam_paper_variant_follows_algorithm_1()
    {
        var (ctx, x, t, a, _) = Setup(hidden: true);
        var r = new ScoreCam("paper").Explain(ctx, x, t);
        int n = 1;
        var up = Engine.Imaging.Resize.Interpolate(a.SliceBatch(n, 1), x.H, x.W);
        int plane = x.H * x.W;
        var one = x.SliceBatch(n, 1);
        double Prob(Tensor input) => BatchedModel.Probability(ctx.Graph.Forward(input, recordForBackward: false).Output, 0, t[n]);
        double pb = Prob(new Tensor(one.ShapeArray));
        var s = new double[a.C];
        for (int k = 0; k < a.C; k++)
        {
            var m = up.Data.AsSpan(k * plane, plane).ToArray();
            float min = m.Min(), max = m.Max();
            var masked = one.Clone();
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < plane; i++)
                    masked.Data[c * plane + i] *= max == min ? 0 : (m[i] - min) / (max - min);
            s[k] = Prob(masked) - pb;
        }
        double z = s.Sum(v => Math.Exp(v));
        for (int k = 0; k < a.C; k++) Assert.Equal(Math.Exp(s[k]) / z, r.ChannelWeights![n, k], 5);
    }

    [Fact]
    public void Constant_map_becomes_zeros_not_nan()
    {
        var (ctx, x, t, _, _) = Setup();
        var r = new GradCam().Explain(ctx, new Tensor(x.ShapeArray), t);
        Assert.All(r.Maps.Data, v => Assert.True(float.IsFinite(v)));
    }
}
