using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Saliency.Tests;

/// <summary>Small networks with seeded weights for method tests.</summary>
internal static class TinyNets
{
    /// <summary>conv(3→K, 3×3) → ReLU ["features.1"] → GAP → flatten → linear(K→classes) ["fc"], or with a hidden ReLU layer.</summary>
    public static Graph ConvGap(int k = 6, int classes = 4, bool hiddenLayer = false, ulong seed = 1)
    {
        var b = new GraphBuilder();
        using (b.Scope("features"))
        {
            b.Add("0", new Conv2d(3, k, 3, padding: 1), GraphBuilder.Input);
            b.Add("1", new ReLU());
        }
        b.Add("avgpool", new AdaptiveAvgPool2d(1));
        b.Add("flatten", new Flatten());
        if (hiddenLayer)
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
        Fill(g, seed);
        return g;
    }

    public static void Fill(Graph g, ulong seed)
    {
        var rng = new Rng(seed);
        foreach (var (name, p) in g.StateDict())
            for (int i = 0; i < p.Value.Length; i++)
                p.Value.Data[i] = (float)(rng.NextDouble() * 2 - 1) * (name.EndsWith("bias") ? 0.1f : 0.8f);
    }

    public static Tensor Images(int n, int h = 8, int w = 8, ulong seed = 2)
    {
        var rng = new Rng(seed);
        var t = new Tensor(n, 3, h, w);
        for (int i = 0; i < t.Length; i++) t.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        return t;
    }
}
