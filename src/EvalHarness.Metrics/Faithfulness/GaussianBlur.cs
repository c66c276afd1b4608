using System.Runtime.CompilerServices;
using EvalHarness.Engine;

namespace EvalHarness.Metrics.Faithfulness;

/// <summary>
/// The blur of RISE's insertion substrate (eclique/RISE evaluation.py, gkern + conv2d): the kernel is
/// scipy.ndimage.gaussian_filter (σ, truncate 4, mode 'reflect') applied to a size×size delta, i.e.
/// the outer product of the 1-D kernel from <see cref="Kernel1D"/>; the image is convolved per channel
/// with zero padding size/2 (torch conv2d, padding=klen//2). The 2-D kernel is separable, so the blur
/// runs as a row pass and a column pass.
/// </summary>
public sealed class GaussianBlur
{
    public GaussianBlur(int size = 11, double sigma = 5)
    {
        if (size <= 0 || size % 2 == 0)
            throw new EvalHarnessException($"The blur kernel size must be a positive odd number (RISE uses 11), got {size}.");
        if (!(sigma > 0) || !double.IsFinite(sigma))
            throw new EvalHarnessException($"The blur σ must be a positive number (RISE uses 5), got {sigma}.");
        Size = size;
        Sigma = sigma;
        var k = Kernel1D(size, sigma);
        Kernel = new float[size];
        for (int i = 0; i < size; i++) Kernel[i] = (float)k[i];
    }

    public int Size { get; }

    public double Sigma { get; }

    /// <summary>The 1-D kernel in float32; the 2-D kernel is its outer product.</summary>
    public float[] Kernel { get; }

    /// <summary>
    /// scipy.ndimage.gaussian_filter1d of a unit impulse at size/2 in an array of length
    /// <paramref name="size"/>: weights exp(−j²/2σ²), j = −r..r, r = ⌊4σ + 0.5⌋, normalised to sum 1,
    /// correlated with the impulse extended by 'reflect' (d c b a | a b c d | d c b a, repeated when
    /// r exceeds the length, period 2·size). With σ = 5 the radius (20) exceeds the 11 samples, so
    /// the folded tails make the kernel flatter than a truncated Gaussian.
    /// </summary>
    public static double[] Kernel1D(int size, double sigma)
    {
        int radius = (int)(4.0 * sigma + 0.5); // scipy: lw = int(truncate * sd + 0.5)
        var weights = new double[2 * radius + 1];
        double sum = 0;
        for (int j = -radius; j <= radius; j++) sum += weights[j + radius] = Math.Exp(-0.5 * j * j / (sigma * sigma));
        for (int j = 0; j < weights.Length; j++) weights[j] /= sum;
        var kernel = new double[size];
        int centre = size / 2;
        for (int i = 0; i < size; i++)
            for (int j = -radius; j <= radius; j++)
                if (Reflect(i + j, size) == centre) kernel[i] += weights[j + radius];
        return kernel;
    }

    /// <summary>scipy's 'reflect' extension of index <paramref name="i"/> into [0, n).</summary>
    internal static int Reflect(int i, int n)
    {
        int m = ((i % (2 * n)) + 2 * n) % (2 * n);
        return m < n ? m : 2 * n - 1 - m;
    }

    /// <summary>Blurs C planes of H×W from <paramref name="source"/> into <paramref name="destination"/> (zero padding).</summary>
    public void Apply(ReadOnlySpan<float> source, Span<float> destination, int channels, int height, int width)
    {
        int plane = height * width;
        if (source.Length != channels * plane || destination.Length != channels * plane)
            throw new ShapeException($"Blur of {channels}×{height}×{width} planes got buffers of {source.Length} and {destination.Length} values.");
        var rows = System.Buffers.ArrayPool<float>.Shared.Rent(plane);
        try
        {
            for (int c = 0; c < channels; c++)
            {
                RowPass(source.Slice(c * plane, plane), rows.AsSpan(0, plane), height, width, Kernel);
                ColumnPass(rows.AsSpan(0, plane), destination.Slice(c * plane, plane), height, width, Kernel);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(rows);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowPass(ReadOnlySpan<float> src, Span<float> dst, int height, int width, float[] k)
    {
        int r = k.Length / 2;
        for (int y = 0; y < height; y++)
        {
            var row = src.Slice(y * width, width);
            var outRow = dst.Slice(y * width, width);
            outRow.Clear();
            for (int t = 0; t < k.Length; t++)
            {
                // out[x] += k[t]·row[x + t − r] for the x whose source lies inside the row (zero padding)
                int lo = Math.Max(0, r - t), hi = Math.Min(width, width + r - t);
                if (hi <= lo) continue;
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(row.Slice(lo + t - r, hi - lo), k[t], outRow.Slice(lo, hi - lo), outRow.Slice(lo, hi - lo));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnPass(ReadOnlySpan<float> src, Span<float> dst, int height, int width, float[] k)
    {
        int r = k.Length / 2;
        for (int y = 0; y < height; y++)
        {
            var outRow = dst.Slice(y * width, width);
            outRow.Clear();
            int lo = Math.Max(0, r - y), hi = Math.Min(k.Length, height - y + r);
            for (int t = lo; t < hi; t++)
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(src.Slice((y + t - r) * width, width), k[t], outRow, outRow);
        }
    }
}
