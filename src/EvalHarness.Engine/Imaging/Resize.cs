using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace EvalHarness.Engine.Imaging;

/// <summary>
/// Bilinear resizing that reproduces the Python pipelines:
/// <list type="bullet">
/// <item><see cref="Pil"/>: PIL's <c>Image.resize(size, BILINEAR)</c> on 8-bit images, which is what
/// torchvision.transforms.Resize does to a PIL image: separable convolution with a triangle filter whose
/// support grows with the downscale factor (antialiasing), horizontal pass first, 22-bit fixed-point
/// weights and rounding to 8 bits between the passes (Pillow src/libImaging/Resample.c).</item>
/// <item><see cref="Interpolate"/>: <c>torch.nn.functional.interpolate(x, size, mode="bilinear",
/// align_corners=False, antialias=...)</c> on float NCHW tensors, weights computed in float32 as PyTorch
/// computes them.</item>
/// <item><see cref="TensorPath"/>: torchvision's resize of a uint8 image tensor (float interpolate, then
/// round half to even).</item>
/// </list>
/// </summary>
public static class Resize
{
    /// <summary>
    /// torchvision Resize(size) with an int: the shorter side becomes <paramref name="size"/>, the longer
    /// int(size · long / short) (truncated), aspect kept.
    /// </summary>
    public static (int Width, int Height) ShorterSideSize(int width, int height, int size)
    {
        if (width <= 0 || height <= 0) throw new ShapeException($"An image must be at least 1×1 pixel, not {width}×{height}.");
        if (size <= 0) throw new EvalHarnessException($"Resize: the shorter side must be a positive number of pixels, not {size}.");
        int shortSide = Math.Min(width, height), longSide = Math.Max(width, height);
        int newLong = (int)((double)((long)size * longSide) / shortSide);
        return width <= height ? (size, newLong) : (newLong, size);
    }

    // ------------------------------------------------------------------------------- PIL, uint8

    private const int PrecisionBits = 32 - 8 - 2;   // Pillow Resample.c PRECISION_BITS

    /// <summary>PIL <c>Image.resize((width, height), Image.BILINEAR)</c> of an RGB image (antialiased when shrinking).</summary>
    public static Image Pil(Image source, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(source);
        CheckSize(width, height);
        if (width == source.Width && height == source.Height) return source.Clone();
        var horizontal = PilCoefficients(source.Width, width);
        var vertical = PilCoefficients(source.Height, height);
        var output = new Image(width, height);
        if (width == source.Width)
        {
            PilVertical(source.Pixels, source.Width, 0, vertical, output.Pixels, height);
            return output;
        }
        // The horizontal pass only produces the rows the vertical pass reads.
        int first = vertical.Start[0];
        int last = vertical.Start[height - 1] + vertical.Count[height - 1];
        if (height == source.Height) (first, last) = (0, source.Height);
        int rows = last - first;
        var temp = ArrayPool<byte>.Shared.Rent(rows * width * 3);
        try
        {
            PilHorizontal(source.Pixels, source.Width, first, rows, horizontal, temp, width);
            if (height == source.Height) temp.AsSpan(0, output.Pixels.Length).CopyTo(output.Pixels);
            else PilVertical(temp, width, first, vertical, output.Pixels, height);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(temp);
        }
        return output;
    }

    /// <summary>Window start, window length and fixed-point weights (Count ≤ KSize) for each output index.</summary>
    private sealed record FixedTaps(int KSize, int[] Start, int[] Count, int[] Weights);

    /// <summary>Pillow's precompute_coeffs for the bilinear (triangle, support 1) filter, then normalize_coeffs_8bpc.</summary>
    private static FixedTaps PilCoefficients(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = 1.0 * filterScale;
        int ksize = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[outSize];
        var count = new int[outSize];
        var weights = new int[outSize * ksize];
        var k = new double[ksize];
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = (int)(center - support + 0.5);
            if (xmin < 0) xmin = 0;
            int xmax = (int)(center + support + 0.5);
            if (xmax > inSize) xmax = inSize;
            xmax -= xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++)
            {
                double w = Triangle((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++)
            {
                double w = ww != 0.0 ? k[x] / ww : k[x];
                weights[xx * ksize + x] = w < 0
                    ? (int)(-0.5 + w * (1 << PrecisionBits))
                    : (int)(0.5 + w * (1 << PrecisionBits));
            }
            start[xx] = xmin;
            count[xx] = xmax;
        }
        return new FixedTaps(ksize, start, count, weights);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Triangle(double x)
    {
        if (x < 0.0) x = -x;
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Clip8(int value)
    {
        if (value >= 1 << PrecisionBits << 8) return 255;
        if (value <= 0) return 0;
        return (byte)(value >> PrecisionBits);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PilHorizontal(byte[] src, int srcWidth, int firstRow, int rows, FixedTaps taps, byte[] dst, int dstWidth)
    {
        const int Half = 1 << (PrecisionBits - 1);
        for (int y = 0; y < rows; y++)
        {
            var inRow = src.AsSpan((firstRow + y) * srcWidth * 3, srcWidth * 3);
            var outRow = dst.AsSpan(y * dstWidth * 3, dstWidth * 3);
            for (int x = 0; x < dstWidth; x++)
            {
                int start = taps.Start[x], n = taps.Count[x];
                var w = taps.Weights.AsSpan(x * taps.KSize, n);
                int r = Half, g = Half, b = Half;
                var px = inRow.Slice(start * 3, n * 3);
                for (int i = 0; i < n; i++)
                {
                    int k = w[i];
                    r += px[3 * i] * k;
                    g += px[3 * i + 1] * k;
                    b += px[3 * i + 2] * k;
                }
                outRow[3 * x] = Clip8(r);
                outRow[3 * x + 1] = Clip8(g);
                outRow[3 * x + 2] = Clip8(b);
            }
        }
    }

    /// <summary>Vertical pass; <paramref name="rowOffset"/> is the source row held at src row 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PilVertical(byte[] src, int width, int rowOffset, FixedTaps taps, byte[] dst, int dstHeight)
    {
        const int Half = 1 << (PrecisionBits - 1);
        int stride = width * 3;
        var acc = ArrayPool<int>.Shared.Rent(stride);
        try
        {
            for (int y = 0; y < dstHeight; y++)
            {
                var sums = acc.AsSpan(0, stride);
                sums.Fill(Half);
                int start = taps.Start[y] - rowOffset, n = taps.Count[y];
                for (int i = 0; i < n; i++)
                {
                    int k = taps.Weights[y * taps.KSize + i];
                    var row = src.AsSpan((start + i) * stride, stride);
                    for (int j = 0; j < stride; j++) sums[j] += row[j] * k;
                }
                var outRow = dst.AsSpan(y * stride, stride);
                for (int j = 0; j < stride; j++) outRow[j] = Clip8(sums[j]);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(acc);
        }
    }

    // ------------------------------------------------------------------ torchvision tensor path

    /// <summary>
    /// torchvision.transforms.functional.resize on a uint8 image tensor: interpolate in float32
    /// (bilinear, align_corners=False, optionally antialiased), round half to even, back to uint8.
    /// </summary>
    public static Image TensorPath(Image source, int width, int height, bool antialias)
    {
        ArgumentNullException.ThrowIfNull(source);
        CheckSize(width, height);
        if (width == source.Width && height == source.Height) return source.Clone();
        var resized = Interpolate(source.ToTensor(divideBy255: false), height, width, antialias);
        return Image.FromTensor(resized);
    }

    // -------------------------------------------------------------------- float NCHW interpolate

    /// <summary>
    /// torch.nn.functional.interpolate(x, size=(height, width), mode="bilinear", align_corners=False,
    /// antialias=<paramref name="antialias"/>) on an N×C×h×w tensor.
    /// </summary>
    public static Tensor Interpolate(Tensor input, int height, int width, bool antialias = false) =>
        Interpolate(input, height, width, antialias, alignCorners: false);

    /// <summary>
    /// Bilinear interpolation of an N×C×h×w tensor; <paramref name="alignCorners"/> gives
    /// align_corners=True (torch.nn.UpsamplingBilinear2d), which has no antialiased form.
    /// </summary>
    public static Tensor Interpolate(Tensor input, int height, int width, bool antialias, bool alignCorners)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4) throw new ShapeException($"Bilinear interpolation needs an N×C×H×W tensor, not {input.ShapeString}.");
        CheckSize(width, height);
        var output = Tensor.Uninitialized(input.N, input.C, height, width);
        Interpolate(input.Data, input.N * input.C, input.H, input.W, output.Data, height, width, antialias, alignCorners);
        return output;
    }

    /// <summary>The same on raw planes: <paramref name="planes"/> consecutive h×w planes into H×W planes.</summary>
    public static void Interpolate(ReadOnlySpan<float> source, int planes, int inHeight, int inWidth,
        Span<float> destination, int outHeight, int outWidth, bool antialias = false, bool alignCorners = false)
    {
        if (antialias && alignCorners)
            throw new ArgumentException("Antialiased interpolation has no align_corners form.", nameof(alignCorners));
        if (planes < 0 || inHeight <= 0 || inWidth <= 0)
            throw new ShapeException($"Cannot interpolate {planes} planes of {inWidth}×{inHeight}.");
        CheckSize(outWidth, outHeight);
        if (source.Length < (long)planes * inHeight * inWidth || destination.Length < (long)planes * outHeight * outWidth)
            throw new ShapeException($"Buffers too small for {planes} planes of {inWidth}×{inHeight} → {outWidth}×{outHeight}.");
        int inPlane = inHeight * inWidth, outPlane = outHeight * outWidth;
        if (inHeight == outHeight && inWidth == outWidth)
        {
            source[..(planes * inPlane)].CopyTo(destination);
            return;
        }
        var cols = antialias ? WindowTaps.Antialiased(inWidth, outWidth)
            : alignCorners ? WindowTaps.LinearAlignCorners(inWidth, outWidth) : WindowTaps.Linear(inWidth, outWidth);
        var rows = antialias ? WindowTaps.Antialiased(inHeight, outHeight)
            : alignCorners ? WindowTaps.LinearAlignCorners(inHeight, outHeight) : WindowTaps.Linear(inHeight, outHeight);
        var neededRows = ArrayPool<bool>.Shared.Rent(inHeight);
        var temp = ArrayPool<float>.Shared.Rent(inHeight * outWidth);
        try
        {
            var needed = neededRows.AsSpan(0, inHeight);
            needed.Clear();
            if (inHeight == outHeight) needed.Fill(true);
            else rows.MarkUsed(needed);
            for (int p = 0; p < planes; p++)
            {
                var src = source.Slice(p * inPlane, inPlane);
                var dst = destination.Slice(p * outPlane, outPlane);
                if (inWidth == outWidth)
                {
                    // PyTorch skips the pass of an unchanged axis.
                    VerticalPass(src, inWidth, rows, dst, outHeight);
                    continue;
                }
                var tmp = temp.AsSpan(0, inHeight * outWidth);
                HorizontalPass(src, inWidth, needed, cols, tmp, outWidth);
                if (inHeight == outHeight) tmp.CopyTo(dst);
                else VerticalPass(tmp, outWidth, rows, dst, outHeight);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(temp);
            ArrayPool<bool>.Shared.Return(neededRows);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HorizontalPass(ReadOnlySpan<float> src, int inWidth, ReadOnlySpan<bool> needed, WindowTaps cols,
        Span<float> tmp, int outWidth)
    {
        int k = cols.KSize;
        var index = cols.Index;
        var weights = cols.Weights;
        for (int y = 0; y < needed.Length; y++)
        {
            if (!needed[y]) continue;
            var inRow = src.Slice(y * inWidth, inWidth);
            var outRow = tmp.Slice(y * outWidth, outWidth);
            for (int x = 0; x < outRow.Length; x++)
            {
                int o = x * k;
                float sum = inRow[index[o]] * weights[o];
                for (int j = 1; j < k; j++) sum += inRow[index[o + j]] * weights[o + j];
                outRow[x] = sum;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void VerticalPass(ReadOnlySpan<float> src, int width, WindowTaps rows, Span<float> dst, int outHeight)
    {
        int k = rows.KSize;
        for (int y = 0; y < outHeight; y++)
        {
            var outRow = dst.Slice(y * width, width);
            int o = y * k;
            TensorPrimitives.Multiply(src.Slice(rows.Index[o] * width, width), rows.Weights[o], outRow);
            for (int j = 1; j < k; j++)
                TensorPrimitives.MultiplyAdd(src.Slice(rows.Index[o + j] * width, width), rows.Weights[o + j], outRow, outRow);
        }
    }

    private static void CheckSize(int width, int height)
    {
        if (width <= 0 || height <= 0)
            throw new EvalHarnessException($"Resize: the target size must be at least 1×1 pixel, not {width}×{height}.");
    }
}
