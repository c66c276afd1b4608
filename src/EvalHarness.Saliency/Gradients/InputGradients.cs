using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;

namespace EvalHarness.Saliency.Gradients;

/// <summary>
/// Gradients of the target logit with respect to the network input for many inputs (noisy copies,
/// points on an integration path), in batches of at most <see cref="ExplainContext.BatchSize"/>. Each
/// batch is one recorded forward pass and one backward pass seeded with a one-hot row per input; the
/// backward may replace layers' gradients with <paramref name="rules"/> (guided backprop, LRP).
/// </summary>
public static class InputGradients
{
    /// <summary>∂y^{targets[i]}/∂x for each row of <paramref name="inputs"/> (N×C×H×W).</summary>
    public static Tensor Of(ExplainContext context, Tensor inputs, IReadOnlyList<int> targets, Func<Node, IBackwardRule?>? rules = null)
    {
        var result = Tensor.Uninitialized(inputs.ShapeArray);
        int item = inputs.ItemLength;
        Run(context, inputs.N, inputs.ShapeArray[1..], i => targets[i],
            (i, dst) => inputs.Data.AsSpan(i * item, item).CopyTo(dst),
            (i, grad) => grad.CopyTo(result.Data.AsSpan(i * item, item)), rules);
        return result;
    }

    /// <summary>
    /// Runs <paramref name="count"/> inputs of shape <paramref name="itemShape"/>: <paramref name="fill"/>
    /// writes input i (called in increasing i), <paramref name="consume"/> receives its input gradient.
    /// </summary>
    public static void Run(ExplainContext context, int count, int[] itemShape, Func<int, int> target,
        Action<int, Span<float>> fill, Action<int, ReadOnlySpan<float>> consume, Func<Node, IBackwardRule?>? rules = null)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), "Nothing to differentiate.");
        int batch = Math.Max(1, context.BatchSize);
        int itemLength = ShapeUtil.Volume(itemShape);
        // Only the input gradient is read: the others are released (and reused in place) on the way down.
        var options = new BackwardOptions { Rules = rules, KeepGradients = [] };
        for (int start = 0; start < count; start += batch)
        {
            int len = Math.Min(batch, count - start);
            var chunk = Tensor.Uninitialized([len, .. itemShape]);
            var targets = new int[len];
            for (int i = 0; i < len; i++)
            {
                fill(start + i, chunk.Data.AsSpan(i * itemLength, itemLength));
                targets[i] = target(start + i);
            }
            Tensor grad;
            bool recycle;
            using (var run = context.Graph.Forward(chunk, recordForBackward: true))
            {
                run.BackwardFromClasses(targets, options);
                grad = run.InputGradient ?? new Tensor(chunk.ShapeArray); // no path from the input: zero gradient
                recycle = !run.RulesMayKeepTensors;
            }
            for (int i = 0; i < len; i++) consume(start + i, grad.Data.AsSpan(i * itemLength, itemLength));
            // Both are this loop's own and were only read through spans above: the next chunk reuses them
            // (not when a rule may have kept what it was given).
            if (recycle)
            {
                TensorBuffers.Return(chunk.Data);
                TensorBuffers.Return(grad.Data);
            }
        }
    }
}
