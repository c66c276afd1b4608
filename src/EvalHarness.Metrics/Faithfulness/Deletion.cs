using EvalHarness.Engine;

namespace EvalHarness.Metrics.Faithfulness;

/// <summary>RISE's deletion game (Petsiuk et al. 2018 §4.1): delete the most salient pixels first; a low AUC means a faithful map.</summary>
public sealed class Deletion(int step = 0, int steps = 0, string substrate = Substrate.Zero, string score = ModelScore.Probability, int blurKernel = 11, double blurSigma = 5)
    : CausalMetric(insertion: false, step, steps, substrate, score, blurKernel, blurSigma)
{
    public override MetricDescriptor Descriptor { get; } = new("deletion", 1, MetricCategory.Faithfulness,
        "Petsiuk et al. 2018 (arXiv 1806.07421) §4.1; eclique/RISE evaluation.py",
        [new MetricOutput("auc", MetricDirection.LowerIsBetter, "normalised area under the score-vs-deleted-pixels curve, in [0, 1] for probabilities")]);

    public static Deletion FromParameters(MethodParameters p)
    {
        var (step, steps, substrate, score, kernel, sigma) = Parse(p, Substrate.Zero);
        return new Deletion(step, steps, substrate, score, kernel, sigma);
    }
}
