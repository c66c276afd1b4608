using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Engine.Nn;

/// <summary>
/// torch.nn.CrossEntropyLoss with mean reduction on batch × classes logits and integer targets:
/// L = (1/N) Σ_n −log softmax(x_n)[t_n], and ∂L/∂x_n = (softmax(x_n) − onehot(t_n)) / N.
/// </summary>
public static class CrossEntropyLoss
{
    public static (float Loss, Tensor Gradient) Compute(Tensor logits, IReadOnlyList<int> targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (logits.Rank != 2 || logits.Dim(1) == 0)
            throw new ShapeException($"CrossEntropyLoss expects batch × classes logits, got {logits.ShapeString}.");
        int batch = logits.N, classes = logits.Dim(1);
        if (targets.Count != batch)
            throw new ShapeException($"CrossEntropyLoss got {targets.Count} target(s) for a batch of {batch} (logits {logits.ShapeString}).");
        if (batch == 0)
            throw new ShapeException("CrossEntropyLoss of an empty batch is undefined (PyTorch returns NaN).");
        for (int n = 0; n < batch; n++)
        {
            if ((uint)targets[n] >= (uint)classes)
                throw new EvalHarnessException($"CrossEntropyLoss: target {targets[n]} of batch item {n} is outside the valid classes 0..{classes - 1}.");
        }

        var grad = Tensor.Uninitialized(logits.ShapeArray);
        double loss = 0;
        float inv = 1f / batch;
        for (int n = 0; n < batch; n++)
        {
            var row = grad.Data.AsSpan(n * classes, classes);
            LogSoftmax.Rows(logits.Data.AsSpan(n * classes, classes), row);
            loss -= row[targets[n]];
            for (int c = 0; c < classes; c++) row[c] = MathF.Exp(row[c]) * inv;
            row[targets[n]] -= inv;
        }
        return ((float)(loss / batch), grad);
    }
}
