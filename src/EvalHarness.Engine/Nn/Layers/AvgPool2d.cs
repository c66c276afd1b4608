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

    public override Tensor Forward(IReadOnlyList<Tensor> inputs) => throw new NotImplementedException();

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
        => throw new NotImplementedException();

    public override string ToString() => $"AvgPool2d(k={KernelSize}, s={Stride}, p={Padding}{(CeilMode ? ", ceil_mode=True" : "")}{(CountIncludePad ? "" : ", count_include_pad=False")})";
}
