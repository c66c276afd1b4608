namespace EvalHarness.Engine.Nn.Layers;

/// <summary>Passes its input through (also Dropout at inference). Returns the input tensor itself.</summary>
public class Identity : ShapePreservingLayer
{
    public override string Kind => "Identity";

    public override Tensor Forward(IReadOnlyList<Tensor> inputs)
    {
        CheckArity([.. inputs.Select(t => t.ShapeArray)]);
        return inputs[0];
    }

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
    {
        LayerChecks.SameShape(this, "the output gradient", gradOutput, inputs[0].ShapeArray);
        return [gradOutput];
    }
}
