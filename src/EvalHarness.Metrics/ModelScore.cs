using EvalHarness.Engine;
using EvalHarness.Saliency;

namespace EvalHarness.Metrics;

/// <summary>The model's score of the target class: softmax probability p^c (default, as in the papers) or the logit y^c.</summary>
public static class ModelScore
{
    public const string Probability = "probability";
    public const string Logit = "logit";

    public static string Parse(MethodParameters p) => p.Choice("score", Probability, Probability, Logit);

    public static double Of(Tensor logits, int row, int target, string kind)
    {
        if (logits.Rank != 2)
            throw new ShapeException($"Metrics need a rank-2 model output (batch × classes); the model gives {logits.ShapeString}.");
        if (target >= logits.Dim(1))
            throw new EvalHarnessException($"Target class {target} is outside the model's {logits.Dim(1)} classes (0..{logits.Dim(1) - 1}).");
        return kind == Logit ? BatchedModel.Logit(logits, row, target) : Softmax(logits.Data.AsSpan(row * logits.ItemLength, logits.ItemLength), target);
    }

    /// <summary>Softmax probability in double (stable): float32 would quantise p near 1, where Average Drop compares Y and O.</summary>
    public static double Softmax(ReadOnlySpan<float> logits, int target)
    {
        float max = System.Numerics.Tensors.TensorPrimitives.Max(logits);
        double sum = 0;
        foreach (float v in logits) sum += Math.Exp((double)v - max);
        return Math.Exp((double)logits[target] - max) / sum;
    }
}
