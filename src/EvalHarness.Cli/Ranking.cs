namespace EvalHarness.Cli;

/// <summary>Softmax probabilities of a logit row and its classes ranked by them.</summary>
internal static class Ranking
{
    /// <summary>Numerically stable softmax, in double.</summary>
    public static double[] Softmax(ReadOnlySpan<float> logits)
    {
        float max = System.Numerics.Tensors.TensorPrimitives.Max(logits);
        var p = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < p.Length; i++) sum += p[i] = Math.Exp(logits[i] - (double)max);
        for (int i = 0; i < p.Length; i++) p[i] /= sum;
        return p;
    }

    /// <summary>The <paramref name="k"/> most probable classes, most probable first (ties: lower index first).</summary>
    public static int[] Top(double[] probabilities, int k) =>
        Enumerable.Range(0, probabilities.Length)
            .OrderByDescending(i => probabilities[i]).ThenBy(i => i)
            .Take(Math.Min(k, probabilities.Length))
            .ToArray();

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
