using EvalHarness.Saliency;

namespace EvalHarness.Metrics.Faithfulness;

/// <summary>
/// The shared part of Average Drop and Average Increase (Chattopadhay et al. 2018 §5.1): per image
/// Y = p^c(x) and O = p^c(x masked by the map, see <see cref="ConfidenceMasking"/>), both from one
/// batched pass; a variant turns (Y, O) into its per-image value.
/// </summary>
public abstract class MaskedConfidenceMetric(ConfidenceMasking masking) : IMetric
{
    public abstract MetricDescriptor Descriptor { get; }

    public ConfidenceMasking Masking { get; } = masking;

    /// <summary>The per-image value from Y and O, or null with a reason when it is not defined.</summary>
    protected abstract (double? Value, string? Reason) Value(double y, double o);

    public MetricBatchResult Evaluate(MetricContext context)
    {
        string name = Descriptor.Name;
        string output = Descriptor.Outputs[0].Name;
        context.Validate(name);
        int channels = context.Images.C, plane = context.H * context.W, item = channels * plane;
        bool raw = Masking.UsesRawPixels(context.Preprocessing, channels, name);
        var records = new List<MetricRecord>(context.N);
        var valid = new List<int>();
        var masks = new List<float[]>();
        for (int n = 0; n < context.N; n++)
        {
            var mask = new float[plane];
            string? problem = context.MapProblem(n) ?? Masking.Mask(context.Map(n), mask);
            if (problem != null) records.Add(MetricRecord.NotDefined(n, context.Targets[n], name, output, problem));
            else
            {
                valid.Add(n);
                masks.Add(mask);
            }
        }
        if (valid.Count > 0)
        {
            var logits = BatchedModel.Run(context.ExplainContext(), 2 * valid.Count, [channels, context.H, context.W], (index, dst) =>
            {
                int n = valid[index / 2];
                if (index % 2 == 0) context.Images.Sample(n).CopyTo(dst);
                else ConfidenceMasking.Apply(context.Images.Sample(n), masks[index / 2], dst, channels, raw, context.Preprocessing);
            });
            for (int j = 0; j < valid.Count; j++)
            {
                int n = valid[j], c = context.Targets[n];
                double y = ModelScore.Of(logits, 2 * j, c, ModelScore.Probability);
                double o = ModelScore.Of(logits, 2 * j + 1, c, ModelScore.Probability);
                var (value, reason) = Value(y, o);
                records.Add(value is double v ? new MetricRecord(n, c, name, output, v) : MetricRecord.NotDefined(n, c, name, output, reason!));
            }
        }
        records.Sort((a, b) => a.ImageIndex.CompareTo(b.ImageIndex));
        return new MetricBatchResult
        {
            Records = records,
            Protocol = $"{name} v{Descriptor.Version}: Y = p^c(x), O = p^c(x'), {Masking.Describe(raw, context.Preprocessing)}",
        };
    }
}
