using EvalHarness.Engine;

namespace EvalHarness.Metrics.Faithfulness;

/// <summary>
/// Average Increase / "Increase in Confidence" (Chattopadhay et al. 2018 §5.1; Score-CAM §4.2): per
/// image 100·1[O &gt; Y] (ties are not increases), so the mean is the percentage of images whose
/// confidence rises when only the explanation is shown; higher is better.
/// </summary>
public sealed class AverageIncrease(ConfidenceMasking? masking = null) : MaskedConfidenceMetric(masking ?? new ConfidenceMasking())
{
    public override MetricDescriptor Descriptor { get; } = new("average-increase", 1, MetricCategory.Faithfulness,
        "Chattopadhay et al. 2018 (arXiv 1710.11063) §5.1; Wang et al. 2020 (Score-CAM) §4.2",
        [new MetricOutput("increase", MetricDirection.HigherIsBetter, "100·1[O > Y] (0 or 100); the dataset value is the mean, in percent")]);

    public static AverageIncrease FromParameters(MethodParameters p) => new(ConfidenceMasking.FromParameters(p));

    protected override (double? Value, string? Reason) Value(double y, double o) => (o > y ? 100 : 0, null); // 100/N · Σ 1[O > Y]
}
