using EvalHarness.Engine;

namespace EvalHarness.Metrics.Faithfulness;

/// <summary>RISE's insertion game (Petsiuk et al. 2018 §4.1): insert the most salient pixels first into a blurred copy; a high AUC means a faithful map.</summary>
public sealed class Insertion(int step = 0, int steps = 0, string substrate = Substrate.Blur, string score = ModelScore.Probability, int blurKernel = 11, double blurSigma = 5)
    : CausalMetric(insertion: true, step, steps, substrate, score, blurKernel, blurSigma)
{
    public override MetricDescriptor Descriptor { get; } = new("insertion", 1, MetricCategory.Faithfulness,
        "Petsiuk et al. 2018 (arXiv 1806.07421) §4.1; eclique/RISE evaluation.py",
        [new MetricOutput("auc", MetricDirection.HigherIsBetter, "normalised area under the score-vs-inserted-pixels curve, in [0, 1] for probabilities")]);

    public static Insertion FromParameters(MethodParameters p)
    {
        var (step, steps, substrate, score, kernel, sigma) = Parse(p, Substrate.Blur);
        return new Insertion(step, steps, substrate, score, kernel, sigma);
    }
}
