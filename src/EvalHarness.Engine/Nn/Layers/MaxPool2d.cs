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

    public override Tensor Forward(IReadOnlyList<Tensor> inputs) => throw new NotImplementedException();

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
        => throw new NotImplementedException();

    public override string ToString() =>
        $"MaxPool2d(k={KernelSize}, s={Stride}, p={Padding}{(Dilation != 1 ? $", d={Dilation}" : "")}{(CeilMode ? ", ceil_mode=True" : "")})";
}
