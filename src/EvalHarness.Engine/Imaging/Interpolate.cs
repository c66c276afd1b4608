namespace EvalHarness.Engine.Imaging;

/// <summary>Resampling of float NCHW tensors.</summary>
public static class Interpolate
{
    /// <summary>
    /// torch.nn.functional.interpolate(mode="bilinear", align_corners=False, antialias=False):
    /// source coordinate (dst + 0.5)·(in/out) − 0.5, clamped below at 0, neighbours clamped at the edge.
    /// </summary>
    public static Tensor Bilinear(Tensor x, int height, int width) => Bilinear(x, height, width, alignCorners: false);

    /// <summary>
    /// Bilinear resize; with <paramref name="alignCorners"/> the corner pixels of input and output
    /// coincide (torch.nn.UpsamplingBilinear2d): source coordinate dst·(in − 1)/(out − 1).
    /// </summary>
    public static Tensor Bilinear(Tensor x, int height, int width, bool alignCorners)
    {
        if (x.Rank != 4) throw new ShapeException($"Bilinear resize expects N×C×H×W, got {x.ShapeString}.");
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"Target size {height}×{width} must be positive.");
        int inH = x.H, inW = x.W, planes = x.N * x.C;
        var y = Tensor.Uninitialized(x.N, x.C, height, width);
        var (y0, y1, wy) = Taps(inH, height, alignCorners);
        var (x0, x1, wx) = Taps(inW, width, alignCorners);
        Parallel.For(0, planes, new ParallelOptions { MaxDegreeOfParallelism = planes * height * width > 1 << 16 ? -1 : 1 }, p =>
        {
            var src = x.Data.AsSpan(p * inH * inW, inH * inW);
            var dst = y.Data.AsSpan(p * height * width, height * width);
            for (int i = 0; i < height; i++)
            {
                var r0 = src.Slice(y0[i] * inW, inW);
                var r1 = src.Slice(y1[i] * inW, inW);
                float b = wy[i], a = 1f - b;
                var row = dst.Slice(i * width, width);
                for (int j = 0; j < width; j++)
                {
                    float d = wx[j], c = 1f - d;
                    row[j] = a * (c * r0[x0[j]] + d * r0[x1[j]]) + b * (c * r1[x0[j]] + d * r1[x1[j]]);
                }
            }
        });
        return y;
    }

    private static (int[] Lo, int[] Hi, float[] Weight) Taps(int input, int output, bool alignCorners)
    {
        var lo = new int[output];
        var hi = new int[output];
        var w = new float[output];
        float scale = alignCorners
            ? (output > 1 ? (float)(input - 1) / (output - 1) : 0f)
            : (float)input / output;
        for (int i = 0; i < output; i++)
        {
            float src = alignCorners ? i * scale : Math.Max((i + 0.5f) * scale - 0.5f, 0f);
            int i0 = Math.Min((int)src, input - 1);
            lo[i] = i0;
            hi[i] = Math.Min(i0 + 1, input - 1);
            w[i] = src - i0;
        }
        return (lo, hi, w);
    }
}
