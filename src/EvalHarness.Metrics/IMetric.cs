namespace EvalHarness.Metrics;

/// <summary>
/// An evaluation metric (Quantus style): configured in its constructor, called on a batch of images
/// with their target classes and saliency maps. Returns one record per image and declared output.
/// </summary>
public interface IMetric
{
    MetricDescriptor Descriptor { get; }

    MetricBatchResult Evaluate(MetricContext context);
}
