using System.Numerics.Tensors;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>torch.nn.LogSoftmax(dim=1) on batch × classes: x − max − log Σ exp(x − max), row by row.</summary>
public sealed class LogSoftmax : Layer
{
    public override string Kind => "LogSoftmax";

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

    /// <summary>Log-softmax of one row into <paramref name="y"/>.</summary>
    internal static void Rows(ReadOnlySpan<float> x, Span<float> y)
    {
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        double sum = 0;
        foreach (float v in y) sum += Math.Exp(v);
        TensorPrimitives.Subtract(y, (float)Math.Log(sum), y);
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
            // ∂L/∂x = g − softmax(x)·Σ g, with softmax(x) = exp(y)
            float sum = TensorPrimitives.Sum(g);
            TensorPrimitives.Exp(y, d);
            TensorPrimitives.MultiplyAdd(d, -sum, g, d);
        }
        return [gx];
    }

    public override string ToString() => "LogSoftmax(dim=1)";
}
