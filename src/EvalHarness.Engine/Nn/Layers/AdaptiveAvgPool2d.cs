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

    public override Tensor Forward(IReadOnlyList<Tensor> inputs) => throw new NotImplementedException();

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
        => throw new NotImplementedException();

    public override string ToString() => $"AdaptiveAvgPool2d(({OutputHeight}, {OutputWidth}))";
}
