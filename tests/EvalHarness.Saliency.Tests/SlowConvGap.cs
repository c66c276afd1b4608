using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Saliency.Tests;

/// <summary>
/// A float64 re-implementation, written from the definitions, of <see cref="TinyNets.ConvGap"/> with a
/// hidden layer: conv(3→K, 3×3, pad 1) → ReLU → global mean → linear(K→5) → ReLU → linear(5→classes).
/// Forward, and the backward pass of the target logit with each ReLU's backward chosen by
/// <see cref="ReluMode"/>: plain (1[x&gt;0]·g), guided (1[x&gt;0]·1[g&gt;0]·g) or deconvnet (max(0, g)).
/// </summary>
internal sealed class SlowConvGap
{
    public enum ReluMode { Plain, Guided, Deconvnet }

    private readonly double[,,,] _w0;
    private readonly double[] _b0;
    private readonly double[,] _w1, _w2;
    private readonly double[] _b1, _b2;

    public SlowConvGap(Graph g)
    {
        var conv = (Conv2d)g.NodeOf("features.0").Layer;
        var fc1 = (Linear)g.NodeOf("classifier.0").Layer;
        var fc2 = (Linear)g.NodeOf("classifier.2").Layer;
        K = conv.OutChannels;
        _w0 = new double[K, 3, 3, 3];
        for (int o = 0; o < K; o++)
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 3; j++)
                        _w0[o, c, i, j] = conv.Weight.Value[o, c, i, j];
        _b0 = conv.Bias!.Value.Data.Select(v => (double)v).ToArray();
        _w1 = Matrix(fc1.Weight.Value);
        _b1 = fc1.Bias!.Value.Data.Select(v => (double)v).ToArray();
        _w2 = Matrix(fc2.Weight.Value);
        _b2 = fc2.Bias!.Value.Data.Select(v => (double)v).ToArray();
    }

    public int K { get; }

    private static double[,] Matrix(Tensor t)
    {
        var m = new double[t.Dim(0), t.Dim(1)];
        for (int i = 0; i < t.Dim(0); i++)
            for (int j = 0; j < t.Dim(1); j++)
                m[i, j] = t[i, j];
        return m;
    }

    /// <summary>Conv pre-activations z[k, y, x] of a 3×H×W image.</summary>
    private double[,,] Conv(double[,,] x)
    {
        int h = x.GetLength(1), w = x.GetLength(2);
        var z = new double[K, h, w];
        for (int o = 0; o < K; o++)
            for (int y = 0; y < h; y++)
                for (int xx = 0; xx < w; xx++)
                {
                    double s = _b0[o];
                    for (int c = 0; c < 3; c++)
                        for (int i = 0; i < 3; i++)
                            for (int j = 0; j < 3; j++)
                            {
                                int iy = y + i - 1, ix = xx + j - 1;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) s += _w0[o, c, i, j] * x[c, iy, ix];
                            }
                    z[o, y, xx] = s;
                }
        return z;
    }

    public double[] Logits(double[,,] x)
    {
        var (_, _, _, _, logits) = Trace(x);
        return logits;
    }

    private (double[,,] Z, double[] Pooled, double[] U, double[] Hidden, double[] Logits) Trace(double[,,] x)
    {
        var z = Conv(x);
        int h = z.GetLength(1), w = z.GetLength(2);
        var pooled = new double[K];
        for (int k = 0; k < K; k++)
        {
            double s = 0;
            for (int y = 0; y < h; y++)
                for (int xx = 0; xx < w; xx++) s += Math.Max(0, z[k, y, xx]);
            pooled[k] = s / (h * w);
        }
        var u = new double[_b1.Length];
        for (int i = 0; i < u.Length; i++)
        {
            u[i] = _b1[i];
            for (int k = 0; k < K; k++) u[i] += _w1[i, k] * pooled[k];
        }
        var hidden = u.Select(v => Math.Max(0, v)).ToArray();
        var logits = new double[_b2.Length];
        for (int c = 0; c < logits.Length; c++)
        {
            logits[c] = _b2[c];
            for (int i = 0; i < hidden.Length; i++) logits[c] += _w2[c, i] * hidden[i];
        }
        return (z, pooled, u, hidden, logits);
    }

    private static double Relu(double input, double grad, ReluMode mode) => mode switch
    {
        ReluMode.Plain => input > 0 ? grad : 0,
        ReluMode.Guided => input > 0 && grad > 0 ? grad : 0,
        _ => Math.Max(0, grad),
    };

    /// <summary>∂y^target/∂x (3×H×W) with the chosen ReLU backward.</summary>
    public double[,,] Backward(double[,,] x, int target, ReluMode mode = ReluMode.Plain)
    {
        var (z, _, u, _, _) = Trace(x);
        int h = z.GetLength(1), w = z.GetLength(2);
        var gu = new double[u.Length];
        for (int i = 0; i < u.Length; i++) gu[i] = Relu(u[i], _w2[target, i], mode);
        var gp = new double[K];
        for (int k = 0; k < K; k++)
            for (int i = 0; i < u.Length; i++) gp[k] += _w1[i, k] * gu[i];
        var gx = new double[3, h, w];
        for (int o = 0; o < K; o++)
            for (int y = 0; y < h; y++)
                for (int xx = 0; xx < w; xx++)
                {
                    double gz = Relu(z[o, y, xx], gp[o] / (h * w), mode);
                    if (gz == 0) continue;
                    for (int c = 0; c < 3; c++)
                        for (int i = 0; i < 3; i++)
                            for (int j = 0; j < 3; j++)
                            {
                                int iy = y + i - 1, ix = xx + j - 1;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) gx[c, iy, ix] += _w0[o, c, i, j] * gz;
                            }
                }
        return gx;
    }

    public static double[,,] Image(Tensor images, int n)
    {
        var x = new double[images.C, images.H, images.W];
        for (int c = 0; c < images.C; c++)
            for (int y = 0; y < images.H; y++)
                for (int xx = 0; xx < images.W; xx++) x[c, y, xx] = images[n, c, y, xx];
        return x;
    }
}
