using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// Direct loops for a convolution with one input channel per group (depthwise, torch.nn.Conv2d with
/// groups == in_channels): output channel oc reads only input channel oc / multiplier, so a GEMM would
/// have a single row and is not worth its packing.
/// </summary>
internal static class DepthwiseConv
{
    private const int MaxStackTaps = 256;

    public static void Forward(float[] x, float[] weight, float[]? bias, float[] y, int batch, int inChannels, int multiplier, ConvWindow w)
    {
        int outChannels = inChannels * multiplier;
        LayerParallel.For(batch * outChannels, (long)batch * outChannels * w.OutPlane * w.Taps, index =>
        {
            int image = index / outChannels, oc = index % outChannels, ic = oc / multiplier;
            ForwardPlane(x.AsSpan((image * inChannels + ic) * w.InPlane, w.InPlane), weight.AsSpan(oc * w.Taps, w.Taps),
                bias?[oc] ?? 0f, y.AsSpan(index * w.OutPlane, w.OutPlane), w);
        });
    }

    /// <summary>Writes the input gradient into gx (overwritten).</summary>
    public static void BackwardInput(float[] gradOutput, float[] weight, float[] gx, int batch, int inChannels, int multiplier, ConvWindow w)
    {
        int outChannels = inChannels * multiplier;
        LayerParallel.For(batch * inChannels, (long)batch * outChannels * w.OutPlane * w.Taps, index =>
        {
            int image = index / inChannels, ic = index % inChannels;
            var plane = gx.AsSpan(index * w.InPlane, w.InPlane);
            plane.Clear();
            for (int m = 0; m < multiplier; m++)
            {
                int oc = ic * multiplier + m;
                BackwardInputPlane(gradOutput.AsSpan((image * outChannels + oc) * w.OutPlane, w.OutPlane), weight.AsSpan(oc * w.Taps, w.Taps), plane, w);
            }
        });
    }

    /// <summary>Adds the weight gradient (and the bias gradient when <paramref name="gradBias"/> is given).</summary>
    public static void BackwardParameters(float[] x, float[] gradOutput, float[] gradWeight, float[]? gradBias, int batch, int inChannels, int multiplier, ConvWindow w)
    {
        int outChannels = inChannels * multiplier;
        LayerParallel.For(outChannels, (long)batch * outChannels * w.OutPlane * w.Taps, oc =>
        {
            int ic = oc / multiplier;
            Span<double> sums = w.Taps <= 256 ? stackalloc double[w.Taps] : new double[w.Taps];
            sums.Clear();
            double biasSum = 0;
            for (int image = 0; image < batch; image++)
            {
                var go = gradOutput.AsSpan((image * outChannels + oc) * w.OutPlane, w.OutPlane);
                WeightPlane(x.AsSpan((image * inChannels + ic) * w.InPlane, w.InPlane), go, sums, w);
                if (gradBias != null) biasSum += TensorPrimitives.Sum(go);
            }
            var gw = gradWeight.AsSpan(oc * w.Taps, w.Taps);
            for (int t = 0; t < sums.Length; t++) gw[t] += (float)sums[t];
            if (gradBias != null) gradBias[oc] += (float)biasSum;
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardPlane(ReadOnlySpan<float> x, ReadOnlySpan<float> k, float bias, Span<float> y, ConvWindow w)
    {
        y.Fill(bias);
        int ow = w.OutWidth;
        if (w.StrideW == 1 && w.Taps <= MaxStackTaps)
        {
            Span<int> rowStarts = stackalloc int[w.KernelH];
            Span<float> coef = stackalloc float[w.Taps];
            for (int oh = 0; oh < w.OutHeight; oh++)
            {
                int rows = 0;
                for (int ki = 0; ki < w.KernelH; ki++)
                {
                    int ih = oh * w.StrideH - w.PadH + ki * w.DilationH;
                    if ((uint)ih >= (uint)w.Height) continue;
                    rowStarts[rows] = ih * w.Width;
                    k.Slice(ki * w.KernelW, w.KernelW).CopyTo(coef.Slice(rows * w.KernelW));
                    rows++;
                }
                TapRows.Accumulate(y.Slice(oh * ow, ow), x, w.Width, rowStarts[..rows], coef, w.KernelW, -w.PadW, w.DilationW);
            }
            return;
        }
        for (int oh = 0; oh < w.OutHeight; oh++)
        {
            var yRow = y.Slice(oh * ow, ow);
            for (int ki = 0; ki < w.KernelH; ki++)
            {
                int ih = oh * w.StrideH - w.PadH + ki * w.DilationH;
                if ((uint)ih >= (uint)w.Height) continue;
                var xRow = x.Slice(ih * w.Width, w.Width);
                for (int kj = 0; kj < w.KernelW; kj++)
                {
                    float wv = k[ki * w.KernelW + kj];
                    int offW = kj * w.DilationW - w.PadW;
                    var (lo, hi) = ConvWindow.ValidRange(ow, w.Width, w.StrideW, offW);
                    if (lo == hi) continue;
                    if (w.StrideW == 1)
                    {
                        var d = yRow[lo..hi];
                        TensorPrimitives.MultiplyAdd(xRow.Slice(lo + offW, hi - lo), wv, d, d);
                    }
                    else
                    {
                        int s = w.StrideW;
                        for (int o = lo, i = lo * s + offW; o < hi; o++, i += s) yRow[o] += wv * xRow[i];
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardInputPlane(ReadOnlySpan<float> go, ReadOnlySpan<float> k, Span<float> gx, ConvWindow w)
    {
        int ow = w.OutWidth;
        if (w.StrideW == 1 && w.Taps <= MaxStackTaps)
        {
            // gx[ih, iw] += Σ k[ki, kj]·go[oh, iw + pw − kj·dw] over the ki with ih = oh·sh − ph + ki·dh
            Span<int> rowStarts = stackalloc int[w.KernelH];
            Span<float> coef = stackalloc float[w.Taps];
            for (int ih = 0; ih < w.Height; ih++)
            {
                int rows = 0;
                for (int ki = 0; ki < w.KernelH; ki++)
                {
                    int t = ih + w.PadH - ki * w.DilationH;
                    if (t < 0 || t % w.StrideH != 0 || t / w.StrideH >= w.OutHeight) continue;
                    rowStarts[rows] = t / w.StrideH * ow;
                    k.Slice(ki * w.KernelW, w.KernelW).CopyTo(coef.Slice(rows * w.KernelW));
                    rows++;
                }
                if (rows > 0)
                    TapRows.Accumulate(gx.Slice(ih * w.Width, w.Width), go, ow, rowStarts[..rows], coef, w.KernelW, w.PadW, -w.DilationW);
            }
            return;
        }
        for (int oh = 0; oh < w.OutHeight; oh++)
        {
            var goRow = go.Slice(oh * ow, ow);
            for (int ki = 0; ki < w.KernelH; ki++)
            {
                int ih = oh * w.StrideH - w.PadH + ki * w.DilationH;
                if ((uint)ih >= (uint)w.Height) continue;
                var gxRow = gx.Slice(ih * w.Width, w.Width);
                for (int kj = 0; kj < w.KernelW; kj++)
                {
                    float wv = k[ki * w.KernelW + kj];
                    int offW = kj * w.DilationW - w.PadW;
                    var (lo, hi) = ConvWindow.ValidRange(ow, w.Width, w.StrideW, offW);
                    if (lo == hi) continue;
                    if (w.StrideW == 1)
                    {
                        var d = gxRow.Slice(lo + offW, hi - lo);
                        TensorPrimitives.MultiplyAdd(goRow[lo..hi], wv, d, d);
                    }
                    else
                    {
                        int s = w.StrideW;
                        for (int o = lo, i = lo * s + offW; o < hi; o++, i += s) gxRow[i] += wv * goRow[o];
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightPlane(ReadOnlySpan<float> x, ReadOnlySpan<float> go, Span<double> sums, ConvWindow w)
    {
        int ow = w.OutWidth;
        for (int oh = 0; oh < w.OutHeight; oh++)
        {
            var goRow = go.Slice(oh * ow, ow);
            for (int ki = 0; ki < w.KernelH; ki++)
            {
                int ih = oh * w.StrideH - w.PadH + ki * w.DilationH;
                if ((uint)ih >= (uint)w.Height) continue;
                var xRow = x.Slice(ih * w.Width, w.Width);
                for (int kj = 0; kj < w.KernelW; kj++)
                {
                    int offW = kj * w.DilationW - w.PadW;
                    var (lo, hi) = ConvWindow.ValidRange(ow, w.Width, w.StrideW, offW);
                    if (lo == hi) continue;
                    float dot;
                    if (w.StrideW == 1)
                    {
                        dot = TensorPrimitives.Dot(goRow[lo..hi], xRow.Slice(lo + offW, hi - lo));
                    }
                    else
                    {
                        int s = w.StrideW;
                        dot = 0f;
                        for (int o = lo, i = lo * s + offW; o < hi; o++, i += s) dot += goRow[o] * xRow[i];
                    }
                    sums[ki * w.KernelW + kj] += dot;
                }
            }
        }
    }
}
