using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Metrics.Tests;

/// <summary>Small networks and inputs for metric tests.</summary>
internal static class TestNets
{
    /// <summary>
    /// flatten → linear(C·H·W → 2) with weight row 0 = <paramref name="classZeroWeights"/>, row 1 = 0,
    /// no bias: logit₀ = Σ w·x, logit₁ = 0, so p₀ = σ(Σ w·x).
    /// </summary>
    public static Graph PixelLinear(float[] classZeroWeights)
    {
        var b = new GraphBuilder();
        b.Add("flatten", new Flatten(), GraphBuilder.Input);
        var fc = new Linear(classZeroWeights.Length, 2, bias: false);
        classZeroWeights.CopyTo(fc.Weight.Value.Data, 0);
        b.Add("fc", fc);
        return b.Build();
    }

    /// <summary>conv(C→K, 3×3, pad 1) → ReLU ["features.1"] → GAP → flatten → linear(K→classes) ["fc"], or through a hidden ReLU layer ["classifier.*"].</summary>
    public static Graph ConvGap(int k = 6, int classes = 4, bool hidden = true, int channels = 3, ulong seed = 1)
    {
        var b = new GraphBuilder();
        using (b.Scope("features"))
        {
            b.Add("0", new Conv2d(channels, k, 3, padding: 1), GraphBuilder.Input);
            b.Add("1", new ReLU());
        }
        b.Add("avgpool", new AdaptiveAvgPool2d(1));
        b.Add("flatten", new Flatten());
        if (hidden)
        {
            using (b.Scope("classifier"))
            {
                b.Add("0", new Linear(k, 5));
                b.Add("1", new ReLU());
                b.Add("2", new Linear(5, classes));
            }
        }
        else
        {
            b.Add("fc", new Linear(k, classes));
        }
        var g = b.Build();
        var rng = new Rng(seed);
        foreach (var (name, p) in g.StateDict())
            for (int i = 0; i < p.Value.Length; i++)
                p.Value.Data[i] = (float)(rng.NextDouble() * 2 - 1) * (name.EndsWith("bias") ? 0.1f : 0.8f);
        return g;
    }

    public static Tensor Random(ulong seed, params int[] shape)
    {
        var rng = new Rng(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        return t;
    }

    /// <summary>Random maps in [0, 1] quantised to <paramref name="levels"/> values, so that ties occur.</summary>
    public static Tensor Maps(ulong seed, int n, int h, int w, int levels = 7)
    {
        var rng = new Rng(seed);
        var t = new Tensor(n, h, w);
        for (int i = 0; i < t.Length; i++) t.Data[i] = rng.NextInt(levels) / (float)(levels - 1);
        return t;
    }

    public static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>Softmax probability of <paramref name="target"/> computed in double.</summary>
    public static double Softmax(ReadOnlySpan<float> logits, int target)
    {
        double max = double.NegativeInfinity;
        foreach (float v in logits) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in logits) sum += Math.Exp(v - max);
        return Math.Exp(logits[target] - max) / sum;
    }
}
