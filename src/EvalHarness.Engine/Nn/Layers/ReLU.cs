using System.Numerics.Tensors;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>max(0, x). The gradient at 0 is 0, as in PyTorch.</summary>
public sealed class ReLU : ShapePreservingLayer
{
    public override string Kind => "ReLU";

    public override Tensor Forward(IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var y = Tensor.Uninitialized(OutputShape([x.ShapeArray]));
        TensorPrimitives.Max(x.Data, 0f, y.Data);
        return y;
    }

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
    {
        LayerChecks.GradientMatchesOutput(this, output, gradOutput);
        var g = Tensor.Uninitialized(gradOutput.ShapeArray);
        var y = output.Data;
        var go = gradOutput.Data;
        var gi = g.Data;
        for (int i = 0; i < gi.Length; i++) gi[i] = y[i] > 0 ? go[i] : 0f;
        return [g];
    }
}
