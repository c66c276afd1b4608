using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>torch.nn.MaxPool2d with padding (as −∞), dilation and ceil_mode. Ties go to the first maximum in scan order.</summary>
public sealed unsafe class MaxPool2d : Layer
{
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    {
        int s = stride ?? kernelSize;
        if (kernelSize <= 0 || s <= 0 || dilation <= 0 || padding < 0 || padding > kernelSize / 2)
            throw new ArgumentException($"MaxPool2d(kernel={kernelSize}, stride={s}, padding={padding}, dilation={dilation}): invalid (padding must be at most half the kernel).");
        KernelSize = kernelSize;
        Stride = s;
        Padding = padding;
        Dilation = dilation;
        CeilMode = ceilMode;
    }

    public int KernelSize { get; }

    public int Stride { get; }

    public int Padding { get; }

    public int Dilation { get; }

    public bool CeilMode { get; }

    private const int MaxStackRow = 4096;

    public override string Kind => "MaxPool2d";

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        CheckArity(inputShapes);
        var s = inputShapes[0];
        RequireRank(s, 4, ToString());
        int oh = ShapeUtil.WindowOutput(s[2], KernelSize, Stride, Padding, Dilation, CeilMode);
        int ow = ShapeUtil.WindowOutput(s[3], KernelSize, Stride, Padding, Dilation, CeilMode);
        if (oh <= 0 || ow <= 0) throw new ShapeException($"{this}: input {s[2]}×{s[3]} is smaller than the window.");
        return [s[0], s[1], oh, ow];
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var shape = OutputShape([x.ShapeArray]);
        var y = Tensor.Uninitialized(shape);
        var w = Window(x, shape);
        int planes = shape[0] * shape[1];
        LayerParallel.For(planes, (long)planes * w.OutPlane * w.Taps, plane =>
            ForwardPlane(x.Data.AsSpan(plane * w.InPlane, w.InPlane), y.Data.AsSpan(plane * w.OutPlane, w.OutPlane), w));
        return y;
    }

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
    {
        var x = inputs[0];
        var shape = OutputShape([x.ShapeArray]);
        LayerChecks.SameShape(this, "the output gradient", gradOutput, shape);
        LayerChecks.SameShape(this, "the output", output, shape);
        if (needInput.Count > 0 && !needInput[0]) return [null];
        var gx = new Tensor(x.ShapeArray);
        var w = Window(x, shape);
        int planes = shape[0] * shape[1];
        LayerParallel.For(planes, (long)planes * w.OutPlane * w.Taps, plane =>
            BackwardPlane(x.Data.AsSpan(plane * w.InPlane, w.InPlane), output.Data.AsSpan(plane * w.OutPlane, w.OutPlane),
                gradOutput.Data.AsSpan(plane * w.OutPlane, w.OutPlane),
                gx.Data.AsSpan(plane * w.InPlane, w.InPlane), w));
        return [gx];
    }

    private ConvWindow Window(Tensor x, int[] outShape) =>
        new(x.H, x.W, outShape[2], outShape[3], KernelSize, KernelSize, Stride, Stride, Padding, Padding, Dilation, Dilation);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardPlane(ReadOnlySpan<float> x, Span<float> y, in ConvWindow w)
    {
        int width = w.Width, dh = w.DilationH, dw = w.DilationW;
        if (dh == 1 && dw == 1 && width <= MaxStackRow)
        {
            // Column-wise maximum of the window's rows (SIMD), then the maximum along each window's
            // columns. Max is exact and NaN-propagating, so the values equal those of the scan.
            // The row is padded for the vector loads of the stride-2 path (they read up to 48 past a window start).
            Span<float> rowMax = stackalloc float[width + 64];
            var (vecLo, vecHi) = MaxPoolStride2.Supports(w) ? MaxPoolStride2.Interior(w) : (0, 0);
            for (int oh = 0, o = 0; oh < w.OutHeight; oh++)
            {
                var (h0, h1) = Span(oh, w.StrideH, w.PadH, w.KernelH, 1, w.Height);
                if (h0 >= h1)
                {
                    y.Slice(o, w.OutWidth).Fill(float.NegativeInfinity);
                    o += w.OutWidth;
                    continue;
                }
                x.Slice(h0 * width, width).CopyTo(rowMax);
                for (int ih = h0 + 1; ih < h1; ih++) TensorPrimitives.Max(rowMax[..width], x.Slice(ih * width, width), rowMax);
                if (vecHi > vecLo)
                {
                    fixed (float* pr = rowMax)
                    fixed (float* py = y)
                        MaxPoolStride2.ForwardRow(pr, py + o, vecLo, vecHi, w.PadW, w.KernelW);
                }
                for (int ow = 0; ow < w.OutWidth; ow++, o++)
                {
                    if (ow == vecLo && vecHi > vecLo)
                    {
                        o += vecHi - vecLo;
                        ow = vecHi;
                        if (ow >= w.OutWidth) break;
                    }
                    var (w0, w1) = Span(ow, w.StrideW, w.PadW, w.KernelW, 1, width);
                    float best = float.NegativeInfinity;
                    for (int iw = w0; iw < w1; iw++)
                    {
                        float v = rowMax[iw];
                        if (v > best || float.IsNaN(v)) best = v;
                    }
                    y[o] = best;
                }
            }
            return;
        }
        for (int oh = 0, o = 0; oh < w.OutHeight; oh++)
        {
            var (h0, h1) = Span(oh, w.StrideH, w.PadH, w.KernelH, dh, w.Height);
            for (int ow = 0; ow < w.OutWidth; ow++, o++)
            {
                var (w0, w1) = Span(ow, w.StrideW, w.PadW, w.KernelW, dw, width);
                ArgMax(x, width, h0, h1, w0, w1, dh, dw, out y[o]);
            }
        }
    }

    /// <summary>
    /// Routes each output gradient to its window's maximum (adding where windows share one). The
    /// maximum is the first pixel in scan order equal to the forward output; a NaN output, or an output
    /// that is not in the window, falls back to the full scan.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardPlane(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> go, Span<float> gx, in ConvWindow w)
    {
        int width = w.Width, dh = w.DilationH, dw = w.DilationW;
        var (vecLo, vecHi) = MaxPoolStride2.Supports(w) && dh == 1 ? MaxPoolStride2.Interior(w) : (0, 0);
        Span<ushort> unmatched = stackalloc ushort[(vecHi - vecLo) / 16 + 1];
        for (int oh = 0, o = 0; oh < w.OutHeight; oh++)
        {
            var (h0, h1) = Span(oh, w.StrideH, w.PadH, w.KernelH, dh, w.Height);
            int rowStart = o;
            bool vector = vecHi > vecLo && h1 - h0 == w.KernelH;
            if (vector)
            {
                // Interior windows 16 at a time, in the same scan order; outputs that match no input go below.
                fixed (float* px = x)
                fixed (float* pg = gx)
                fixed (float* py = y)
                fixed (float* pgo = go)
                    MaxPoolStride2.BackwardRow(px, pg, width, h0, h1 - h0, py + rowStart, pgo + rowStart, vecLo, vecHi, w.PadW, w.KernelW, unmatched);
            }
            for (int ow = 0; ow < w.OutWidth; ow++, o++)
            {
                if (vector && ow >= vecLo && ow < vecHi)
                {
                    int lane = (ow - vecLo) % 16;
                    if ((unmatched[(ow - vecLo) / 16] & (1 << lane)) == 0) continue;
                }
                var (w0, w1) = Span(ow, w.StrideW, w.PadW, w.KernelW, dw, width);
                int index = FirstEqual(x, width, h0, h1, w0, w1, dh, dw, y[o]);
                if (index < 0) index = ArgMax(x, width, h0, h1, w0, w1, dh, dw, out _);
                if (index >= 0) gx[index] += go[o];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FirstEqual(ReadOnlySpan<float> plane, int width, int h0, int h1, int w0, int w1, int dh, int dw, float value)
    {
        for (int ih = h0; ih < h1; ih += dh)
        {
            var row = plane.Slice(ih * width, width);
            for (int iw = w0; iw < w1; iw += dw)
                if (row[iw] == value) return ih * width + iw;
        }
        return -1;
    }

    /// <summary>
    /// The input positions [first, end) (step dilation) of window <paramref name="o"/> along one axis, as
    /// ATen's CPU max_pool2d clips them: padding positions are skipped, never compared.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int First, int End) Span(int o, int stride, int pad, int kernel, int dilation, int size)
    {
        int first = o * stride - pad;
        int end = Math.Min(first + (kernel - 1) * dilation + 1, size);
        while (first < 0) first += dilation;
        return (first, end);
    }

    /// <summary>
    /// The flat index of the window's maximum and its value, matching ATen's CPU max_pool2d: the first
    /// maximum in scan order wins a tie and a NaN always wins. −1 (value −∞) when the window holds no
    /// input pixel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ArgMax(ReadOnlySpan<float> plane, int width, int h0, int h1, int w0, int w1, int dh, int dw, out float max)
    {
        if (h0 >= h1 || w0 >= w1)
        {
            max = float.NegativeInfinity;
            return -1;
        }
        float best = float.NegativeInfinity;
        int bestIndex = h0 * width + w0;
        for (int ih = h0; ih < h1; ih += dh)
        {
            var row = plane.Slice(ih * width, width);
            for (int iw = w0; iw < w1; iw += dw)
            {
                float v = row[iw];
                if (v > best || float.IsNaN(v))
                {
                    best = v;
                    bestIndex = ih * width + iw;
                }
            }
        }
        max = best;
        return bestIndex;
    }

    public override string ToString() =>
        $"MaxPool2d(k={KernelSize}, s={Stride}, p={Padding}{(Dilation != 1 ? $", d={Dilation}" : "")}{(CeilMode ? ", ceil_mode=True" : "")})";
}
