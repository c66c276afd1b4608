using EvalHarness.Engine;

namespace EvalHarness.Metrics.Faithfulness;

/// <summary>Average Drop (Chattopadhay et al. 2018 §5.1; Score-CAM §4.2): per image 100·max(0, Y − O)/Y; lower is better.</summary>
public sealed class AverageDrop(ConfidenceMasking? masking = null) : MaskedConfidenceMetric(masking ?? new ConfidenceMasking())
{
    public override MetricDescriptor Descriptor { get; } = new("average-drop", 1, MetricCategory.Faithfulness,
        "Chattopadhay et al. 2018 (arXiv 1710.11063) §5.1; Wang et al. 2020 (Score-CAM) §4.2",
        [new MetricOutput("drop", MetricDirection.LowerIsBetter, "100·max(0, Y − O)/Y, percent; the dataset value is the mean")]);

    public static AverageDrop FromParameters(MethodParameters p) => new(ConfidenceMasking.FromParameters(p));

    protected override (double? Value, string? Reason) Value(double y, double o) =>
        y > 0 ? (100 * Math.Max(0, y - o) / y, null) // Chattopadhay et al. 2018 §5.1: Σ max(0, Y − O)/Y · 100 / N
              : (null, "p^c(x) underflows to 0");
}
