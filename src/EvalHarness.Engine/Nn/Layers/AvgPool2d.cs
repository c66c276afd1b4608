using System.Runtime.CompilerServices;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>torch.nn.AvgPool2d with padding, ceil_mode and count_include_pad (PyTorch's divisor rules).</summary>
public sealed class AvgPool2d : Layer
{
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
    {
        int s = stride ?? kernelSize;
        if (kernelSize <= 0 || s <= 0 || padding < 0 || padding > kernelSize / 2)
            throw new ArgumentException($"AvgPool2d(kernel={kernelSize}, stride={s}, padding={padding}): invalid (padding must be at most half the kernel).");
        KernelSize = kernelSize;
        Stride = s;
        Padding = padding;
        CeilMode = ceilMode;
        CountIncludePad = countIncludePad;
    }

    public int KernelSize { get; }

    public int Stride { get; }

    public int Padding { get; }

    public bool CeilMode { get; }

    public bool CountIncludePad { get; }

    public override string Kind => "AvgPool2d";

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        CheckArity(inputShapes);
        var s = inputShapes[0];
        RequireRank(s, 4, ToString());
        int oh = ShapeUtil.WindowOutput(s[2], KernelSize, Stride, Padding, 1, CeilMode);
        int ow = ShapeUtil.WindowOutput(s[3], KernelSize, Stride, Padding, 1, CeilMode);
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
        bool includePad = CountIncludePad;
        LayerParallel.For(planes, (long)planes * w.OutPlane * w.Taps, plane =>
            ForwardPlane(x.Data.AsSpan(plane * w.InPlane, w.InPlane), y.Data.AsSpan(plane * w.OutPlane, w.OutPlane), w, includePad));
        return y;
    }

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
    {
        var x = inputs[0];
        var shape = OutputShape([x.ShapeArray]);
        LayerChecks.SameShape(this, "the output gradient", gradOutput, shape);
        if (needInput.Count > 0 && !needInput[0]) return [null];
        var gx = new Tensor(x.ShapeArray);
        var w = Window(x, shape);
        int planes = shape[0] * shape[1];
        bool includePad = CountIncludePad;
        LayerParallel.For(planes, (long)planes * w.OutPlane * w.Taps, plane =>
            BackwardPlane(gradOutput.Data.AsSpan(plane * w.OutPlane, w.OutPlane), gx.Data.AsSpan(plane * w.InPlane, w.InPlane), w, includePad));
        return [gx];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardPlane(ReadOnlySpan<float> x, Span<float> y, in ConvWindow w, bool includePad)
    {
        for (int oh = 0, o = 0; oh < w.OutHeight; oh++)
        {
            for (int ow = 0; ow < w.OutWidth; ow++, o++)
            {
                int divisor = Extent(w, oh, ow, includePad, out int h0, out int h1, out int w0, out int w1);
                if (divisor == 0)
                {
                    y[o] = 0f;
                    continue;
                }
                float sum = 0f;
                for (int ih = h0; ih < h1; ih++)
                {
                    var row = x.Slice(ih * w.Width + w0, w1 - w0);
                    for (int iw = 0; iw < row.Length; iw++) sum += row[iw];
                }
                y[o] = sum / divisor;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardPlane(ReadOnlySpan<float> go, Span<float> gx, in ConvWindow w, bool includePad)
    {
        for (int oh = 0, o = 0; oh < w.OutHeight; oh++)
        {
            for (int ow = 0; ow < w.OutWidth; ow++, o++)
            {
                int divisor = Extent(w, oh, ow, includePad, out int h0, out int h1, out int w0, out int w1);
                if (divisor == 0) continue;
                float share = go[o] / divisor;
                for (int ih = h0; ih < h1; ih++)
                {
                    var row = gx.Slice(ih * w.Width + w0, w1 - w0);
                    for (int iw = 0; iw < row.Length; iw++) row[iw] += share;
                }
            }
        }
    }

    private ConvWindow Window(Tensor x, int[] outShape) =>
        new(x.H, x.W, outShape[2], outShape[3], KernelSize, KernelSize, Stride, Stride, Padding, Padding, 1, 1);

    /// <summary>
    /// The input rows [h0, h1) and columns [w0, w1) of a window and its divisor, as ATen's CPU
    /// avg_pool2d: with count_include_pad the window is counted up to the padded edge (not beyond it,
    /// where a ceil_mode window may hang), otherwise only its input pixels count. 0: an empty window.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Extent(in ConvWindow w, int oh, int ow, bool includePad, out int h0, out int h1, out int w0, out int w1)
    {
        h0 = oh * w.StrideH - w.PadH;
        w0 = ow * w.StrideW - w.PadW;
        h1 = Math.Min(h0 + w.KernelH, w.Height + w.PadH);
        w1 = Math.Min(w0 + w.KernelW, w.Width + w.PadW);
        int poolSize = (h1 - h0) * (w1 - w0);
        h0 = Math.Max(h0, 0);
        w0 = Math.Max(w0, 0);
        h1 = Math.Min(h1, w.Height);
        w1 = Math.Min(w1, w.Width);
        if (h0 >= h1 || w0 >= w1) return 0;
        return includePad ? poolSize : (h1 - h0) * (w1 - w0);
    }

    public override string ToString() => $"AvgPool2d(k={KernelSize}, s={Stride}, p={Padding}{(CeilMode ? ", ceil_mode=True" : "")}{(CountIncludePad ? "" : ", count_include_pad=False")})";
}
