using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Layers;
using EvalHarness.Saliency.Methods;

namespace EvalHarness.Saliency.Tests;

/// <summary>
/// Excitation backprop on the tiny conv net against a float64 derivation of the marginal winning
/// probabilities (Zhang et al. 2016, eq. 7-8) through linear → ReLU → linear → global mean, and the
/// contrastive variant against the same derivation with the dual's probabilities subtracted at the
/// hidden ReLU (the default contrast layer).
/// </summary>
public class ExcitationBackpropTests
{
    private static double[,] M(Tensor t)
    {
        var m = new double[t.Dim(0), t.Dim(1)];
        for (int i = 0; i < t.Dim(0); i++)
            for (int j = 0; j < t.Dim(1); j++) m[i, j] = t[i, j];
        return m;
    }

    /// <summary>P at features.1 (K×H×W) for one image, optionally contrastive.</summary>
    private static double[,,] Reference(Engine.Nn.Graph.Graph g, Tensor x, int n, int target, bool contrastive)
    {
        var run = g.Forward(x.SliceBatch(n, 1), recordForBackward: false, keep: ["features.1", "avgpool", "classifier.0", "classifier.1"]);
        var a = run.Activation("features.1");
        int k = a.C, hw = a.H * a.W;
        var pooled = run.Activation("avgpool").Data.Select(v => (double)v).ToArray();
        var u = run.Activation("classifier.0").Data.Select(v => (double)v).ToArray();
        var h = run.Activation("classifier.1").Data.Select(v => (double)v).ToArray();
        var w1 = M(((Linear)g.NodeOf("classifier.0").Layer).Weight.Value);
        var w2 = M(((Linear)g.NodeOf("classifier.2").Layer).Weight.Value);

        // Top layer: P(h_i) = h_i w⁺_ci / Σ_k h_k w⁺_ck (eq. 7-8 with the one-hot target as the only parent).
        double[] Top(double sign)
        {
            double z = 0;
            for (int i = 0; i < h.Length; i++) z += h[i] * Math.Max(sign * w2[target, i], 0);
            return h.Select((hi, i) => hi * Math.Max(sign * w2[target, i], 0) / (z + 1e-20)).ToArray();
        }
        var ph = Top(1);
        if (contrastive)
        {
            var dual = Top(-1);
            ph = ph.Zip(dual, (p, d) => p - d).ToArray(); // TorchRay subtracts at the contrast layer
        }
        var pu = ph.Select((p, i) => u[i] > 0 ? p : 0).ToArray(); // ReLU: ordinary gradient
        var pp = new double[k];
        for (int i = 0; i < u.Length; i++)
        {
            double z = 0;
            for (int c = 0; c < k; c++) z += Math.Max(w1[i, c], 0) * pooled[c];
            for (int c = 0; c < k; c++) pp[c] += pooled[c] * Math.Max(w1[i, c], 0) * pu[i] / (z + 1e-20);
        }
        var pa = new double[k, a.H, a.W];
        for (int c = 0; c < k; c++)
            for (int y = 0; y < a.H; y++)
                for (int xx = 0; xx < a.W; xx++)
                    pa[c, y, xx] = a[0, c, y, xx] * (pp[c] / hw) / (pooled[c] + 1e-20); // mean pooling: x ⊙ fᵀ(p ⊘ f(x))
        return pa;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Maps_follow_the_marginal_winning_probabilities(bool contrastive)
    {
        var g = TinyNets.ConvGap(hiddenLayer: true);
        var x = TinyNets.Images(3);
        int[] t = [1, 0, 3];
        var ctx = new ExplainContext { Graph = g, TargetLayer = "features.1", BatchSize = 2 };
        var r = new ExcitationBackprop(contrastive).Explain(ctx, x, t);
        int conserved = 0;
        for (int n = 0; n < 3; n++)
        {
            var pa = Reference(g, x, n, t[n], contrastive);
            var map = new double[8, 8];
            for (int c = 0; c < pa.GetLength(0); c++)
                for (int y = 0; y < 8; y++)
                    for (int xx = 0; xx < 8; xx++) map[y, xx] += pa[c, y, xx];
            if (contrastive)
                for (int y = 0; y < 8; y++)
                    for (int xx = 0; xx < 8; xx++) map[y, xx] = Math.Max(0, map[y, xx]);
            else
            {
                // Probabilities sum to one at every layer, unless no hidden unit excites the target at all (then nothing flows).
                double total = map.Cast<double>().Sum();
                Assert.True(Math.Abs(total - 1) < 1e-4 || total == 0, $"image {n}: Σ P = {total}");
                if (total > 0) conserved++;
            }
            double max = map.Cast<double>().Max();
            for (int y = 0; y < 8; y++)
                for (int xx = 0; xx < 8; xx++)
                {
                    Assert.True(Math.Abs(map[y, xx] - r.RawMaps![n, y, xx]) <= 1e-5 * Math.Max(max, 1e-6), $"raw ({n},{y},{xx})");
                    Assert.True(Math.Abs((max > 0 ? map[y, xx] / max : 0) - r.Maps[n, y, xx]) <= 1e-5, $"map ({n},{y},{xx})");
                }
        }
        if (!contrastive) Assert.True(conserved >= 2, "most images carry probability mass");
    }

    [Fact]
    public void The_contrast_layer_must_lie_between_the_saliency_layer_and_the_classifier()
    {
        var g = TinyNets.ConvGap(hiddenLayer: true);
        var ctx = new ExplainContext { Graph = g, TargetLayer = "features.1" };
        var ex = Assert.Throws<EvalHarnessException>(() => SaliencyCatalog.Create("contrastive-eb", new Dictionary<string, string> { ["contrast_layer"] = "features.0" })
            .Explain(ctx, TinyNets.Images(1), [0]));
        Assert.Contains("features.0", ex.Message);
        var ex2 = Assert.Throws<EvalHarnessException>(() => new ExcitationBackprop(false).Explain(new ExplainContext { Graph = g }, TinyNets.Images(1), [0]));
        Assert.Contains("target layer", ex2.Message);
    }
}
