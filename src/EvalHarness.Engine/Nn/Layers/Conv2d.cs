namespace EvalHarness.Engine.Nn.Layers;

/// <summary>2-D convolution as torch.nn.Conv2d: weight Cout×(Cin/groups)×kh×kw, optional bias.</summary>
public sealed class Conv2d : Layer
{
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0,
        int dilation = 1, int groups = 1, bool bias = true)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (dilation, dilation), groups, bias) { }

    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W) stride, (int H, int W) padding,
        (int H, int W) dilation, int groups = 1, bool bias = true)
    {
        if (inChannels <= 0 || outChannels <= 0 || groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d({inChannels}, {outChannels}, groups={groups}): channels must be positive and divisible by groups.");
        if (kernelSize.H <= 0 || kernelSize.W <= 0 || stride.H <= 0 || stride.W <= 0 || dilation.H <= 0 || dilation.W <= 0 || padding.H < 0 || padding.W < 0)
            throw new ArgumentException($"Conv2d: kernel {kernelSize}, stride {stride}, dilation {dilation} must be positive and padding {padding} non-negative.");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        Weight = new Parameter(new Tensor(outChannels, inChannels / groups, kernelSize.H, kernelSize.W));
        Bias = bias ? new Parameter(new Tensor(outChannels)) : null;
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public (int H, int W) KernelSize { get; }

    public (int H, int W) Stride { get; }

    public (int H, int W) Padding { get; }

    public (int H, int W) Dilation { get; }

    public int Groups { get; }

    public Parameter Weight { get; }

    public Parameter? Bias { get; }

    public override string Kind => "Conv2d";

    public override IEnumerable<(string Name, Parameter Parameter)> Parameters()
    {
        yield return ("weight", Weight);
        if (Bias != null) yield return ("bias", Bias);
    }

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        CheckArity(inputShapes);
        var s = inputShapes[0];
        RequireRank(s, 4, ToString());
        if (s[1] != InChannels) throw new ShapeException($"{this} expects {InChannels} input channels, got {s[1]} (input {ShapeUtil.Format(s)}).");
        int oh = ShapeUtil.WindowOutput(s[2], KernelSize.H, Stride.H, Padding.H, Dilation.H, false);
        int ow = ShapeUtil.WindowOutput(s[3], KernelSize.W, Stride.W, Padding.W, Dilation.W, false);
        if (oh <= 0 || ow <= 0) throw new ShapeException($"{this}: input {s[2]}×{s[3]} is smaller than the kernel.");
        return [s[0], OutChannels, oh, ow];
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs) => throw new NotImplementedException();

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
        => throw new NotImplementedException();

    public override string ToString() =>
        $"Conv2d({InChannels}, {OutChannels}, k={KernelSize.H}x{KernelSize.W}, s={Stride.H}x{Stride.W}, p={Padding.H}x{Padding.W}" +
        (Dilation != (1, 1) ? $", d={Dilation.H}x{Dilation.W}" : "") + (Groups != 1 ? $", groups={Groups}" : "") + (Bias == null ? ", bias=False" : "") + ")";
}
