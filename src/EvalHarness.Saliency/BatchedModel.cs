using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;

namespace EvalHarness.Saliency;

/// <summary>
/// Sends many variants of one input (masked images, ablated activations, coalitions) through the
/// model or its head in batches of at most <see cref="ExplainContext.BatchSize"/>, without recording
/// activations. The caller fills each chunk; the result is one row of outputs per variant.
/// </summary>
public static class BatchedModel
{
    /// <summary>Runs <paramref name="count"/> variants of shape <paramref name="itemShape"/> through the whole network.</summary>
    public static Tensor Run(ExplainContext context, int count, int[] itemShape, Action<int, Span<float>> fill) =>
        RunCore(context, count, itemShape, fill, chunk => context.Graph.Forward(chunk, recordForBackward: false));

    /// <summary>Runs variants of the target layer's activation through the head after <paramref name="layer"/>.</summary>
    public static Tensor RunHead(ExplainContext context, string layer, int count, int[] itemShape, Action<int, Span<float>> fill) =>
        RunCore(context, count, itemShape, fill, chunk => context.Graph.ForwardFrom(layer, chunk, recordForBackward: false));

    /// <summary>
    /// Each chunk's pass is disposed and its output copied out, so the chunk, the output and every buffer of the pass
    /// go back to <see cref="TensorBuffers"/> for the next chunk instead of being allocated afresh (and zero-filled by
    /// the operating system) each time.
    /// </summary>
    private static Tensor RunCore(ExplainContext context, int count, int[] itemShape, Action<int, Span<float>> fill, Func<Tensor, Execution> run)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), "Nothing to evaluate.");
        int batch = Math.Max(1, context.BatchSize);
        int itemLength = ShapeUtil.Volume(itemShape);
        Tensor? result = null;
        int outLength = 0;
        for (int start = 0; start < count; start += batch)
        {
            int len = Math.Min(batch, count - start);
            var chunk = Tensor.Uninitialized([len, .. itemShape]);
            for (int i = 0; i < len; i++) fill(start + i, chunk.Data.AsSpan(i * itemLength, itemLength));
            using (var pass = run(chunk))
            {
                var output = pass.Output;
                if (result is null)
                {
                    outLength = output.ItemLength;
                    var shape = output.ShapeArray;
                    shape[0] = count;
                    result = Tensor.Uninitialized(shape);
                }
                output.Data.AsSpan().CopyTo(result.Data.AsSpan(start * outLength, len * outLength));
                // Read only through the copy above: both are this loop's own (the output is the chunk when nothing ran).
                if (!ReferenceEquals(output.Data, chunk.Data)) TensorBuffers.Return(output.Data);
            }
            TensorBuffers.Return(chunk.Data);
        }
        return result!;
    }

    /// <summary>Softmax probability of class <paramref name="target"/> in row <paramref name="row"/> of logits (stable).</summary>
    public static float Probability(Tensor logits, int row, int target)
    {
        var r = logits.Data.AsSpan(row * logits.ItemLength, logits.ItemLength);
        float max = System.Numerics.Tensors.TensorPrimitives.Max(r);
        double sum = 0;
        foreach (float v in r) sum += Math.Exp(v - max);
        return (float)(Math.Exp(r[target] - max) / sum);
    }

    public static float Logit(Tensor logits, int row, int target) => logits.Data[row * logits.ItemLength + target];
}
