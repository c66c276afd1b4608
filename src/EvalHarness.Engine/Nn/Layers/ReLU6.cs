namespace EvalHarness.Engine.Nn.Layers;

/// <summary>min(max(0, x), 6). Gradient 1 strictly inside (0, 6), else 0 (PyTorch's hardtanh backward).</summary>
public sealed class ReLU6 : ShapePreservingLayer
{
    public override string Kind => "ReLU6";

    public override Tensor Forward(IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0].Data;
        var y = Tensor.Uninitialized(OutputShape([inputs[0].ShapeArray]));
        var yd = y.Data;
        for (int i = 0; i < x.Length; i++) yd[i] = Math.Clamp(x[i], 0f, 6f);
        return y;
    }

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
    {
        LayerChecks.SameShape(this, "the output gradient", gradOutput, inputs[0].ShapeArray);
        var x = inputs[0].Data;
        var g = Tensor.Uninitialized(gradOutput.ShapeArray);
        var go = gradOutput.Data;
        var gi = g.Data;
        for (int i = 0; i < gi.Length; i++) gi[i] = x[i] > 0f && x[i] < 6f ? go[i] : 0f;
        return [g];
    }
}
