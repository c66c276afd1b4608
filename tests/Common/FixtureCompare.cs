using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Tests.Common;

/// <summary>How the fixture tests compare tensors with PyTorch's and detect near ties.</summary>
public static class FixtureCompare
{
    /// <summary>Largest |got − want| relative to want's largest magnitude, and how many elements exceed tolerance·max.</summary>
    public static (double Relative, long Far) Compare(Tensor got, Tensor want, double tolerance)
    {
        double max = 0, diff = 0;
        for (int i = 0; i < want.Length; i++) max = Math.Max(max, Math.Abs(want.Data[i]));
        long far = 0;
        for (int i = 0; i < want.Length; i++)
        {
            double d = Math.Abs((double)got.Data[i] - want.Data[i]);
            diff = Math.Max(diff, d);
            if (d > tolerance * max) far++;
        }
        return (max == 0 ? diff : diff / max, far);
    }

    /// <summary>
    /// Max-pool windows (over all max-pool nodes of a recorded pass) whose best two inputs differ by less
    /// than 2e-6 of the input's largest magnitude: decisions any float32 engine may settle either way.
    /// </summary>
    public static int MaxPoolNearTies(Graph graph, Execution run)
    {
        int ties = 0;
        foreach (var node in graph.Nodes)
        {
            if (node.Layer is not MaxPool2d pool) continue;
            var x = run.NodeOutput(node.Inputs[0])!;
            double scale = 0;
            foreach (float v in x.Data) scale = Math.Max(scale, Math.Abs(v));
            var y = run.Activation(node.Name);
            for (int plane = 0; plane < x.N * x.C; plane++)
                for (int oy = 0; oy < y.H; oy++)
                    for (int ox = 0; ox < y.W; ox++)
                        if (WindowIsNearTie(x, plane, oy, ox, pool, scale)) ties++;
        }
        return ties;
    }

    private static bool WindowIsNearTie(Tensor x, int plane, int oy, int ox, MaxPool2d pool, double scale)
    {
        float best = float.NegativeInfinity, second = float.NegativeInfinity;
        for (int ky = 0; ky < pool.KernelSize; ky++)
        {
            int iy = oy * pool.Stride - pool.Padding + ky * pool.Dilation;
            if (iy < 0 || iy >= x.H) continue;
            for (int kx = 0; kx < pool.KernelSize; kx++)
            {
                int ix = ox * pool.Stride - pool.Padding + kx * pool.Dilation;
                if (ix < 0 || ix >= x.W) continue;
                float v = x.Data[(plane * x.H + iy) * x.W + ix];
                if (v > best) (best, second) = (v, best);
                else if (v > second) second = v;
            }
        }
        return best > 0 && best - second < 2e-6 * scale;
    }
}
