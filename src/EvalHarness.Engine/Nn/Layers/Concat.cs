namespace EvalHarness.Engine.Nn.Layers;

/// <summary>Concatenation along the channel dimension (torch.cat(xs, 1)) of NCHW or N×F tensors.</summary>
public sealed class Concat : Layer
{
    public override string Kind => "Concat";

    public override int Arity => -1;

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        CheckArity(inputShapes);
        var first = inputShapes[0];
        if (first.Length < 2) throw new ShapeException($"Concat along dimension 1 needs rank ≥ 2, got {ShapeUtil.Format(first)}.");
        int channels = 0;
        foreach (var s in inputShapes)
        {
            if (s.Length != first.Length || s[0] != first[0] || !s.AsSpan(2).SequenceEqual(first.AsSpan(2)))
                throw new ShapeException($"Concat needs shapes equal except in dimension 1, got {string.Join(", ", inputShapes.Select(x => ShapeUtil.Format(x)))}.");
            channels += s[1];
        }
        var result = (int[])first.Clone();
        result[1] = channels;
        return result;
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs)
    {
        var shape = OutputShape(inputs.Select(t => t.ShapeArray).ToList());
        var y = Tensor.Uninitialized(shape);
        int n = shape[0];
        int outItem = y.ItemLength;
        int offset = 0;
        foreach (var x in inputs)
        {
            int item = x.ItemLength;
            for (int b = 0; b < n; b++)
                x.Data.AsSpan(b * item, item).CopyTo(y.Data.AsSpan(b * outItem + offset, item));
            offset += item;
        }
        return y;
    }

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
    {
        LayerChecks.SameShape(this, "the output gradient", gradOutput, OutputShape(inputs.Select(t => t.ShapeArray).ToList()));
        var grads = new Tensor?[inputs.Count];
        int n = output.N;
        int outItem = output.ItemLength;
        int offset = 0;
        for (int k = 0; k < inputs.Count; k++)
        {
            var x = inputs[k];
            int item = x.ItemLength;
            if (needInput[k])
            {
                var g = Tensor.Uninitialized(x.ShapeArray);
                for (int b = 0; b < n; b++)
                    gradOutput.Data.AsSpan(b * outItem + offset, item).CopyTo(g.Data.AsSpan(b * item, item));
                grads[k] = g;
            }
            offset += item;
        }
        return grads;
    }
}
