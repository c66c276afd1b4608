using EvalHarness.Engine;
using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;
using EvalHarness.Saliency.Lrp;

namespace EvalHarness.Saliency.Tests;

/// <summary>
/// Each LRP rule against a float64 transcription of its formula, written over the explicit list of
/// connections (i, j, w_ij) of a linear layer and of a strided, padded convolution.
/// </summary>
public class LrpRuleTests
{
    private const double Eps = 1e-6;

    private sealed record Case(Layer Layer, Node Node, Tensor X, Tensor R, List<(int I, int J, double W)> Links, double[] Bias);

    private static Case LinearCase()
    {
        var layer = new Linear(5, 4);
        var b = new GraphBuilder();
        b.Add("fc", layer, GraphBuilder.Input);
        var g = b.Build();
        TinyNets.Fill(g, 21);
        var x = Random(new Tensor(2, 5), 22);
        var r = Random(new Tensor(2, 4), 23);
        var links = new List<(int, int, double)>();
        for (int n = 0; n < 2; n++)
            for (int j = 0; j < 4; j++)
                for (int i = 0; i < 5; i++) links.Add((n * 5 + i, n * 4 + j, layer.Weight.Value[j, i]));
        var bias = Enumerable.Range(0, 8).Select(j => (double)layer.Bias!.Value[j % 4]).ToArray();
        return new Case(layer, g.Nodes[0], x, r, links, bias);
    }

    private static Case ConvCase()
    {
        var layer = new Conv2d(2, 3, 3, stride: 2, padding: 1);
        var b = new GraphBuilder();
        b.Add("conv", layer, GraphBuilder.Input);
        var g = b.Build();
        TinyNets.Fill(g, 31);
        var x = Random(new Tensor(1, 2, 5, 5), 32);
        var r = Random(new Tensor(1, 3, 3, 3), 33);
        var links = new List<(int, int, double)>();
        for (int oc = 0; oc < 3; oc++)
            for (int oy = 0; oy < 3; oy++)
                for (int ox = 0; ox < 3; ox++)
                    for (int ic = 0; ic < 2; ic++)
                        for (int ky = 0; ky < 3; ky++)
                            for (int kx = 0; kx < 3; kx++)
                            {
                                int iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx;
                                if (iy < 0 || iy >= 5 || ix < 0 || ix >= 5) continue;
                                links.Add(((ic * 5 + iy) * 5 + ix, (oc * 3 + oy) * 3 + ox, layer.Weight.Value[oc, ic, ky, kx]));
                            }
        var bias = Enumerable.Range(0, 27).Select(j => (double)layer.Bias!.Value[j / 9]).ToArray();
        return new Case(layer, g.Nodes[0], x, r, links, bias);
    }

    private static Tensor Random(Tensor t, ulong seed)
    {
        var rng = new Rng(seed);
        for (int i = 0; i < t.Length; i++) t.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        return t;
    }

    private static double Stab(double z, double e) => z >= 0 ? z + e : z - e;

    /// <summary>R_i = Σ_j num(i, j)·R_j / stab(den_j) with den_j = Σ_i num(i, j) + extra_j.</summary>
    private static double[] Redistribute(Case c, Func<int, int, double, double> num, Func<int, double> extra, Func<int, double>? gate = null)
    {
        var den = new double[c.R.Length];
        for (int j = 0; j < den.Length; j++) den[j] = extra(j);
        foreach (var (i, j, w) in c.Links) den[j] += num(i, j, w);
        var r = new double[c.X.Length];
        foreach (var (i, j, w) in c.Links)
            r[i] += num(i, j, w) * c.R.Data[j] * (gate?.Invoke(j) ?? 1) / Stab(den[j], Eps);
        return r;
    }

    private static void AssertClose(double[] expected, Tensor actual)
    {
        double scale = expected.Max(Math.Abs);
        Assert.True(scale > 0, "the reference relevance is all zero");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual.Data[i]) <= 1e-4 * scale, $"element {i}: expected {expected[i]}, got {actual.Data[i]}");
    }

    private static Tensor Apply(LrpRule rule, Case c) =>
        rule.Backward(c.Node, [c.X], c.Node.Layer.Forward([c.X]), c.R, [true])[0]!;

    public static IEnumerable<object[]> Cases() => [["linear"], ["conv"]];

    private static Case Get(string kind) => kind == "linear" ? LinearCase() : ConvCase();

    private static double P(double v) => Math.Max(v, 0);

    private static double N(double v) => Math.Min(v, 0);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Epsilon(string kind)
    {
        var c = Get(kind);
        var x = c.X.Data;
        AssertClose(Redistribute(c, (i, _, w) => x[i] * w, j => c.Bias[j]), Apply(new EpsilonRule(AffineLayer.Of(c.Layer), (float)Eps), c));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ZPlus(string kind)
    {
        var c = Get(kind);
        var x = c.X.Data;
        AssertClose(Redistribute(c, (i, _, w) => P(x[i]) * P(w) + N(x[i]) * N(w), j => P(c.Bias[j])), Apply(new ZPlusRule(AffineLayer.Of(c.Layer)), c));
        AssertClose(Redistribute(c, (i, _, w) => P(x[i]) * P(w) + N(x[i]) * N(w), _ => 0), Apply(new ZPlusRule(AffineLayer.Of(c.Layer), positiveBias: false), c));
        AssertClose(Redistribute(c, (i, _, w) => P(x[i]) * P(-w) + N(x[i]) * N(-w), _ => 0),
            Apply(new ZPlusRule(AffineLayer.Of(c.Layer), positiveBias: false, negate: true), c));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AlphaBeta(string kind)
    {
        var c = Get(kind);
        var x = c.X.Data;
        foreach (var (alpha, beta) in new[] { (2.0, 1.0), (1.0, 0.0) })
        {
            var pos = Redistribute(c, (i, _, w) => P(x[i]) * P(w) + N(x[i]) * N(w), j => P(c.Bias[j]));
            var neg = Redistribute(c, (i, _, w) => P(x[i]) * N(w) + N(x[i]) * P(w), j => N(c.Bias[j]));
            AssertClose(pos.Zip(neg, (p, n) => alpha * p - beta * n).ToArray(), Apply(new AlphaBetaRule(AffineLayer.Of(c.Layer), (float)alpha, (float)beta), c));
        }
        Assert.Throws<EvalHarnessException>(() => new AlphaBetaRule(AffineLayer.Of(c.Layer), 2, 2));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gamma(string kind)
    {
        var c = Get(kind);
        var x = c.X.Data;
        const double g = 0.25;
        var o = new double[c.R.Length];
        for (int j = 0; j < o.Length; j++) o[j] = c.Bias[j];
        foreach (var (i, j, w) in c.Links) o[j] += x[i] * w;
        var up = Redistribute(c, (i, _, w) => P(x[i]) * (w + g * P(w)) + N(x[i]) * (w + g * N(w)), j => c.Bias[j] + g * P(c.Bias[j]), j => o[j] > 0 ? 1 : 0);
        var down = Redistribute(c, (i, _, w) => P(x[i]) * (w + g * N(w)) + N(x[i]) * (w + g * P(w)), j => c.Bias[j] + g * N(c.Bias[j]), j => o[j] < 0 ? 1 : 0);
        AssertClose(up.Zip(down, (a, b) => a + b).ToArray(), Apply(new GammaRule(AffineLayer.Of(c.Layer), (float)g), c));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ZBox(string kind)
    {
        var c = Get(kind);
        var x = c.X.Data;
        float[] low = kind == "conv" ? [-1.5f, -1.2f] : [-1.1f], high = kind == "conv" ? [1.4f, 1.7f] : [1.3f];
        int perChannel = kind == "conv" ? 25 : 5;
        double L(int i) => low[(i / perChannel) % low.Length];
        double H(int i) => high[(i / perChannel) % high.Length];
        AssertClose(Redistribute(c, (i, _, w) => x[i] * w - L(i) * P(w) - H(i) * N(w), _ => 0), Apply(new ZBoxRule(AffineLayer.Of(c.Layer), low, high), c));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Flat_and_wsquare(string kind)
    {
        var c = Get(kind);
        AssertClose(Redistribute(c, (_, _, _) => 1, _ => 0), Apply(new FlatRule(AffineLayer.Of(c.Layer), squared: false), c));
        AssertClose(Redistribute(c, (_, _, w) => w * w, j => c.Bias[j] * c.Bias[j]), Apply(new FlatRule(AffineLayer.Of(c.Layer), squared: true), c));
    }

    [Fact]
    public void Norm_splits_a_sum_in_proportion_to_its_terms()
    {
        var b = new GraphBuilder();
        int a = b.Add("a", new ReLU(), GraphBuilder.Input);
        int i = b.Add("i", new Identity(), GraphBuilder.Input);
        b.Add("add", new Add(), a, i);
        var g = b.Build();
        var xa = Tensor.FromArray([1f, 0f, 2f, -1f], 1, 4);
        var xb = Tensor.FromArray([3f, 0f, -1f, 0.5f], 1, 4);
        var r = Tensor.FromArray([4f, 1f, 2f, -3f], 1, 4);
        var y = g.Nodes[2].Layer.Forward([xa, xb]);
        var result = new NormRule().Backward(g.Nodes[2], [xa, xb], y, r, [true, true]);
        for (int k = 0; k < 4; k++)
        {
            double z = Stab(xa.Data[k] + xb.Data[k], Eps);
            Assert.Equal(xa.Data[k] * r.Data[k] / z, result[0]!.Data[k], 5);
            Assert.Equal(xb.Data[k] * r.Data[k] / z, result[1]!.Data[k], 5);
        }
    }

    [Fact]
    public void Batch_norm_folding_matches_the_pair_and_leaves_the_model_untouched()
    {
        var conv = new Conv2d(2, 3, 3, padding: 1, bias: false);
        var bn = new BatchNorm2d(3);
        var b = new GraphBuilder();
        b.Add("conv", conv, GraphBuilder.Input);
        b.Add("bn", bn);
        var g = b.Build();
        TinyNets.Fill(g, 41);
        for (int k = 0; k < 3; k++) bn.RunningVar.Value[k] = 0.5f + k;
        var before = g.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Value.Data.ToArray());
        var folded = BatchNormCanonizer.Fold(g);
        Assert.Equal(1, folded[0].BatchNorm);
        var x = Random(new Tensor(1, 2, 5, 5), 42);
        var expected = g.Forward(x).Output;
        var actual = folded[0].Folded.With(w => w, v => v).Forward([x]);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected.Data[i], actual.Data[i], 4);
        foreach (var (name, p) in g.StateDict()) Assert.Equal(before[name], p.Value.Data);
    }
}
