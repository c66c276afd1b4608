using System.Runtime.CompilerServices;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>torch.nn.MaxPool2d with padding (as −∞), dilation and ceil_mode. Ties go to the first maximum in scan order.</summary>
public sealed class MaxPool2d : Layer
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
        {
            var xp = x.Data.AsSpan(plane * w.InPlane, w.InPlane);
            var yp = y.Data.AsSpan(plane * w.OutPlane, w.OutPlane);
            for (int oh = 0, o = 0; oh < w.OutHeight; oh++)
                for (int ow = 0; ow < w.OutWidth; ow++, o++)
                    ArgMax(xp, w, oh, ow, out yp[o]);
        });
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
        LayerParallel.For(planes, (long)planes * w.OutPlane * w.Taps, plane =>
        {
            var xp = x.Data.AsSpan(plane * w.InPlane, w.InPlane);
            var gp = gx.Data.AsSpan(plane * w.InPlane, w.InPlane);
            var go = gradOutput.Data.AsSpan(plane * w.OutPlane, w.OutPlane);
            for (int oh = 0, o = 0; oh < w.OutHeight; oh++)
            {
                for (int ow = 0; ow < w.OutWidth; ow++, o++)
                {
                    int index = ArgMax(xp, w, oh, ow, out _);
                    if (index >= 0) gp[index] += go[o];
                }
            }
        });
        return [gx];
    }

    private ConvWindow Window(Tensor x, int[] outShape) =>
        new(x.H, x.W, outShape[2], outShape[3], KernelSize, KernelSize, Stride, Stride, Padding, Padding, Dilation, Dilation);

    /// <summary>
    /// The flat index of the window's maximum and its value, matching ATen's CPU max_pool2d: padding
    /// never wins, the first maximum in scan order wins a tie, and a NaN always wins. −1 when the
    /// window holds no input pixel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ArgMax(ReadOnlySpan<float> plane, in ConvWindow w, int oh, int ow, out float max)
    {
        int h0 = oh * w.StrideH - w.PadH, w0 = ow * w.StrideW - w.PadW;
        int h1 = Math.Min(h0 + (w.KernelH - 1) * w.DilationH + 1, w.Height);
        int w1 = Math.Min(w0 + (w.KernelW - 1) * w.DilationW + 1, w.Width);
        while (h0 < 0) h0 += w.DilationH;
        while (w0 < 0) w0 += w.DilationW;
        max = float.NegativeInfinity;
        if (h0 >= h1 || w0 >= w1) return -1;
        int best = h0 * w.Width + w0;
        for (int ih = h0; ih < h1; ih += w.DilationH)
        {
            var row = plane.Slice(ih * w.Width, w.Width);
            for (int iw = w0; iw < w1; iw += w.DilationW)
            {
                float v = row[iw];
                if (v > max || float.IsNaN(v))
                {
                    max = v;
                    best = ih * w.Width + iw;
                }
            }
        }
        return best;
    }

    public override string ToString() =>
        $"MaxPool2d(k={KernelSize}, s={Stride}, p={Padding}{(Dilation != 1 ? $", d={Dilation}" : "")}{(CeilMode ? ", ceil_mode=True" : "")})";
}
