using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// The column matrix of one image for convolution by GEMM: row (c·kh + ki)·kw + kj, column oh·OW + ow
/// holds x[c, oh·sh − ph + ki·dh, ow·sw − pw + kj·dw], zero where that falls in the padding.
/// <see cref="Unpack"/> (col2im) is its adjoint: it adds every column entry back onto its input pixel.
/// </summary>
internal static class Im2Col
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
                        int s = w.StrideW;
                        for (int o = lo, i = lo * s + offW; o < hi; o++, i += s) dst[o] = src[i];
                    }
                }
            }
        }
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
                        int s = w.StrideW;
                        for (int o = lo, i = lo * s + offW; o < hi; o++, i += s) dst[i] += src[o];
                    }
                }
            }
        }
    }
}
