using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// The column matrix of one image for convolution by GEMM: row (c·kh + ki)·kw + kj, column oh·OW + ow
/// holds x[c, oh·sh − ph + ki·dh, ow·sw − pw + kj·dw], zero where that falls in the padding.
/// <see cref="Unpack"/> (col2im) is its adjoint: it adds every column entry back onto its input pixel.
/// </summary>
internal static unsafe class Im2Col
{
    public static long ColumnLength(int channels, in ConvWindow w) => (long)channels * w.Taps * w.OutPlane;

    /// <summary>Writes the columns of the image at x[xOffset..] (channels×H×W) into col[0..].</summary>
    public static void Pack(float[] x, int xOffset, int channels, ConvWindow w, float[] col)
    {
        LayerParallel.For(channels, ColumnLength(channels, w), c => PackChannel(x, xOffset + c * w.InPlane, w, col, c * w.Taps * w.OutPlane));
    }

    /// <summary>Adds the columns col[0..] onto the image gradient at gx[gxOffset..] (channels×H×W).</summary>
    public static void Unpack(float[] col, int channels, ConvWindow w, float[] gx, int gxOffset)
    {
        LayerParallel.For(channels, ColumnLength(channels, w), c => UnpackChannel(col, c * w.Taps * w.OutPlane, w, gx, gxOffset + c * w.InPlane));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackChannel(float[] x, int planeOffset, ConvWindow w, float[] col, int colOffset)
    {
        var plane = x.AsSpan(planeOffset, w.InPlane);
        int ow = w.OutWidth, p = w.OutPlane;
        for (int ki = 0; ki < w.KernelH; ki++)
        {
            for (int kj = 0; kj < w.KernelW; kj++)
            {
                var rowOut = col.AsSpan(colOffset + (ki * w.KernelW + kj) * p, p);
                int offW = kj * w.DilationW - w.PadW;
                var (lo, hi) = ConvWindow.ValidRange(ow, w.Width, w.StrideW, offW);
                for (int oh = 0; oh < w.OutHeight; oh++)
                {
                    var dst = rowOut.Slice(oh * ow, ow);
                    int ih = oh * w.StrideH - w.PadH + ki * w.DilationH;
                    if ((uint)ih >= (uint)w.Height || lo == hi)
                    {
                        dst.Clear();
                        continue;
                    }
                    dst[..lo].Clear();
                    dst[hi..].Clear();
                    var src = plane.Slice(ih * w.Width, w.Width);
                    if (w.StrideW == 1)
                    {
                        src.Slice(lo + offW, hi - lo).CopyTo(dst[lo..hi]);
                    }
                    else
                    {
                        int s = w.StrideW, o = lo;
                        if (s == 2) o = GatherEven(src, lo * 2 + offW, dst, lo, hi);
                        for (int i = o * s + offW; o < hi; o++, i += s) dst[o] = src[i];
                    }
                }
            }
        }
    }

    /// <summary>dst[o] = src[start + 2(o − lo)] for o from lo while whole vectors fit in src; returns where it stopped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int GatherEven(ReadOnlySpan<float> src, int start, Span<float> dst, int lo, int hi)
    {
        if (!Avx512F.IsSupported) return lo;
        int o = lo;
        fixed (float* ps = src)
        fixed (float* pd = dst)
        {
            var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            for (int i = start; o + 16 <= hi && i + 32 <= src.Length; o += 16, i += 32)
                Avx512F.PermuteVar16x32x2(Vector512.Load(ps + i), even, Vector512.Load(ps + i + 16)).Store(pd + o);
        }
        return o;
    }

    /// <summary>dst[start + 2(o − lo)] += src[o] for o from lo while whole vectors fit in dst; returns where it stopped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ScatterAddEven(ReadOnlySpan<float> src, Span<float> dst, int start, int lo, int hi)
    {
        if (!Avx512F.IsSupported) return lo;
        int o = lo;
        fixed (float* ps = src)
        fixed (float* pd = dst)
        {
            // Interleave with zeros: lanes 2t take src[t] (t < 8, then t ≥ 8), odd lanes take 0.
            var low = Vector512.Create(0, 16, 1, 16, 2, 16, 3, 16, 4, 16, 5, 16, 6, 16, 7, 16);
            var high = Vector512.Create(8, 16, 9, 16, 10, 16, 11, 16, 12, 16, 13, 16, 14, 16, 15, 16);
            var zero = Vector512<float>.Zero;
            for (int i = start; o + 16 <= hi && i + 32 <= dst.Length; o += 16, i += 32)
            {
                var v = Vector512.Load(ps + o);
                (Vector512.Load(pd + i) + Avx512F.PermuteVar16x32x2(v, low, zero)).Store(pd + i);
                (Vector512.Load(pd + i + 16) + Avx512F.PermuteVar16x32x2(v, high, zero)).Store(pd + i + 16);
            }
        }
        return o;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UnpackChannel(float[] col, int colOffset, ConvWindow w, float[] gx, int planeOffset)
    {
        var plane = gx.AsSpan(planeOffset, w.InPlane);
        int ow = w.OutWidth, p = w.OutPlane;
        for (int ki = 0; ki < w.KernelH; ki++)
        {
            for (int kj = 0; kj < w.KernelW; kj++)
            {
                var rowIn = col.AsSpan(colOffset + (ki * w.KernelW + kj) * p, p);
                int offW = kj * w.DilationW - w.PadW;
                var (lo, hi) = ConvWindow.ValidRange(ow, w.Width, w.StrideW, offW);
                if (lo == hi) continue;
                for (int oh = 0; oh < w.OutHeight; oh++)
                {
                    int ih = oh * w.StrideH - w.PadH + ki * w.DilationH;
                    if ((uint)ih >= (uint)w.Height) continue;
                    var src = rowIn.Slice(oh * ow, ow);
                    var dst = plane.Slice(ih * w.Width, w.Width);
                    if (w.StrideW == 1)
                    {
                        var d = dst.Slice(lo + offW, hi - lo);
                        TensorPrimitives.Add(d, src[lo..hi], d);
                    }
                    else
                    {
                        int s = w.StrideW, o = lo;
                        if (s == 2) o = ScatterAddEven(src, dst, lo * 2 + offW, lo, hi);
                        for (int i = o * s + offW; o < hi; o++, i += s) dst[i] += src[o];
                    }
                }
            }
        }
    }
}
