namespace EvalHarness.Engine.Nn.Layers;

/// <summary>Flattens dimensions from <see cref="StartDim"/> on (torch.flatten(x, 1)). Shares the buffer.</summary>
public sealed class Flatten(int startDim = 1) : Layer
{
    public int StartDim { get; } = startDim;

    public override string Kind => "Flatten";

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        CheckArity(inputShapes);
        var s = inputShapes[0];
        if (StartDim >= s.Length) throw new ShapeException($"Flatten from dimension {StartDim} needs rank > {StartDim}, got {ShapeUtil.Format(s)}.");
        int rest = ShapeUtil.Volume(s.AsSpan(StartDim));
        return [.. s[..StartDim], rest];
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs) =>
        inputs[0].Reshape(OutputShape([inputs[0].ShapeArray]));

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
    {
        LayerChecks.SameShape(this, "the output gradient", gradOutput, OutputShape([inputs[0].ShapeArray]));
        return [gradOutput.Reshape(inputs[0].ShapeArray)];
    }

    public override string ToString() => $"Flatten({StartDim})";
}
