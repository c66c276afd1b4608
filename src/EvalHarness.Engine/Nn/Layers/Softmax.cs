using System.Numerics.Tensors;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>torch.nn.Softmax(dim=1) on batch × classes: exp(x − max) / Σ exp(x − max), row by row.</summary>
public sealed class Softmax : Layer
{
    public override string Kind => "Softmax";

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        CheckArity(inputShapes);
        var s = inputShapes[0];
        RequireRank(s, 2, ToString());
        if (s[1] == 0) throw new ShapeException($"{this} needs at least one class, got {ShapeUtil.Format(s)}.");
        return (int[])s.Clone();
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var y = Tensor.Uninitialized(OutputShape([x.ShapeArray]));
        int classes = x.Dim(1);
        for (int n = 0; n < x.N; n++)
            Rows(x.Data.AsSpan(n * classes, classes), y.Data.AsSpan(n * classes, classes));
        return y;
    }

    /// <summary>Softmax of one row into <paramref name="y"/>.</summary>
    internal static void Rows(ReadOnlySpan<float> x, Span<float> y)
    {
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        TensorPrimitives.Exp(y, y);
        float sum = TensorPrimitives.Sum(y);
        TensorPrimitives.Divide(y, sum, y);
    }

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
    {
        LayerChecks.SameShape(this, "the output gradient", gradOutput, OutputShape([inputs[0].ShapeArray]));
        LayerChecks.GradientMatchesOutput(this, output, gradOutput);
        var gx = Tensor.Uninitialized(output.ShapeArray);
        int classes = output.Dim(1);
        for (int n = 0; n < output.N; n++)
        {
            var y = output.Data.AsSpan(n * classes, classes);
            var g = gradOutput.Data.AsSpan(n * classes, classes);
            var d = gx.Data.AsSpan(n * classes, classes);
            // ∂L/∂x = y ⊙ (g − Σ g⊙y)
            float dot = TensorPrimitives.Dot(g, y);
            TensorPrimitives.Subtract(g, dot, d);
            TensorPrimitives.Multiply(d, y, d);
        }
        return [gx];
    }

    public override string ToString() => "Softmax(dim=1)";
}
