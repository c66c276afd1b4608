namespace EvalHarness.Engine.Nn.Layers;

/// <summary>Elementwise sum of two tensors of equal shape (residual connections).</summary>
public sealed class Add : Layer
{
    public override string Kind => "Add";

    public override int Arity => 2;

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        CheckArity(inputShapes);
        if (!inputShapes[0].AsSpan().SequenceEqual(inputShapes[1]))
            throw new ShapeException($"Add needs equal shapes, got {ShapeUtil.Format(inputShapes[0])} and {ShapeUtil.Format(inputShapes[1])}.");
        return (int[])inputShapes[0].Clone();
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs)
    {
        var shape = OutputShape([inputs[0].ShapeArray, inputs[1].ShapeArray]);
        var y = Tensor.Uninitialized(shape);
        LayerParallel.Add(inputs[0].Data, inputs[1].Data, y.Data);
        return y;
    }

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
    {
        LayerChecks.SameShape(this, "the output gradient", gradOutput, inputs[0].ShapeArray);
        return [gradOutput, gradOutput];
    }
}
