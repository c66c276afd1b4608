using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>torch.nn.AdaptiveAvgPool2d: output cell i covers input rows [floor(i·H/oh), ceil((i+1)·H/oh)).</summary>
public sealed class AdaptiveAvgPool2d : Layer
{
    public AdaptiveAvgPool2d(int outputHeight, int outputWidth)
    {
        if (outputHeight <= 0 || outputWidth <= 0)
            throw new ArgumentException($"AdaptiveAvgPool2d({outputHeight}, {outputWidth}): output size must be positive.");
        OutputHeight = outputHeight;
        OutputWidth = outputWidth;
    }

    public AdaptiveAvgPool2d(int outputSize) : this(outputSize, outputSize) { }

    public int OutputHeight { get; }

    public int OutputWidth { get; }

    /// <summary>True for global average pooling (1×1 output).</summary>
    public bool IsGlobal => OutputHeight == 1 && OutputWidth == 1;

    public override string Kind => "AdaptiveAvgPool2d";

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        CheckArity(inputShapes);
        var s = inputShapes[0];
        RequireRank(s, 4, ToString());
        return [s[0], s[1], OutputHeight, OutputWidth];
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var shape = OutputShape([x.ShapeArray]);
        var y = Tensor.Uninitialized(shape);
        int h = x.H, w = x.W, oh = OutputHeight, ow = OutputWidth, inPlane = h * w, outPlane = oh * ow;
        int planes = shape[0] * shape[1];
        LayerParallel.For(planes, (long)planes * Math.Max(inPlane, outPlane), plane =>
            ForwardPlane(x.Data.AsSpan(plane * inPlane, inPlane), y.Data.AsSpan(plane * outPlane, outPlane), h, w, oh, ow));
        return y;
    }

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
    {
        var x = inputs[0];
        var shape = OutputShape([x.ShapeArray]);
        LayerChecks.SameShape(this, "the output gradient", gradOutput, shape);
        if (needInput.Count > 0 && !needInput[0]) return [null];
        int h = x.H, w = x.W, oh = OutputHeight, ow = OutputWidth, inPlane = h * w, outPlane = oh * ow;
        var gx = IsGlobal ? Tensor.Uninitialized(x.ShapeArray) : new Tensor(x.ShapeArray);
        int planes = shape[0] * shape[1];
        LayerParallel.For(planes, (long)planes * Math.Max(inPlane, outPlane), plane =>
            BackwardPlane(gradOutput.Data.AsSpan(plane * outPlane, outPlane), gx.Data.AsSpan(plane * inPlane, inPlane), h, w, oh, ow));
        return [gx];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardPlane(ReadOnlySpan<float> x, Span<float> y, int h, int w, int oh, int ow)
    {
        if (oh == 1 && ow == 1)
        {
            y[0] = TensorPrimitives.Sum(x) / x.Length;
            return;
        }
        for (int i = 0; i < oh; i++)
        {
            int h0 = Start(i, h, oh), h1 = End(i, h, oh);
            for (int j = 0; j < ow; j++)
            {
                int w0 = Start(j, w, ow), w1 = End(j, w, ow);
                float sum = 0f;
                for (int r = h0; r < h1; r++)
                {
                    var row = x.Slice(r * w + w0, w1 - w0);
                    for (int q = 0; q < row.Length; q++) sum += row[q];
                }
                y[i * ow + j] = sum / ((h1 - h0) * (w1 - w0));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardPlane(ReadOnlySpan<float> go, Span<float> gx, int h, int w, int oh, int ow)
    {
        if (oh == 1 && ow == 1)
        {
            gx.Fill(go[0] / gx.Length);
            return;
        }
        for (int i = 0; i < oh; i++)
        {
            int h0 = Start(i, h, oh), h1 = End(i, h, oh);
            for (int j = 0; j < ow; j++)
            {
                int w0 = Start(j, w, ow), w1 = End(j, w, ow);
                float share = go[i * ow + j] / ((h1 - h0) * (w1 - w0));
                for (int r = h0; r < h1; r++)
                {
                    var row = gx.Slice(r * w + w0, w1 - w0);
                    for (int q = 0; q < row.Length; q++) row[q] += share;
                }
            }
        }
    }

    // ATen's adaptive pooling bounds: start = floor(i·in/out), end = ceil((i+1)·in/out).
    private static int Start(int i, int input, int output) => (int)((long)i * input / output);

    private static int End(int i, int input, int output) => (int)(((long)(i + 1) * input + output - 1) / output);

    public override string ToString() => $"AdaptiveAvgPool2d(({OutputHeight}, {OutputWidth}))";
}
