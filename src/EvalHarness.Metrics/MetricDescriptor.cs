namespace EvalHarness.Metrics;

/// <summary>Declared metadata of a metric; <see cref="Version"/> is bumped on any behaviour change.</summary>
/// <param name="Name">Registry name, e.g. "deletion".</param>
/// <param name="Version">Goes into results and cache keys.</param>
/// <param name="Category">Faithfulness, localisation, SHAP agreement or sanity.</param>
/// <param name="Source">Paper and reference code the implementation follows.</param>
/// <param name="Outputs">The values reported per image; the first is the metric's headline value.</param>
public sealed record MetricDescriptor(string Name, int Version, MetricCategory Category, string Source, IReadOnlyList<MetricOutput> Outputs)
{
    /// <summary>Direction of the headline value.</summary>
    public MetricDirection Direction => Outputs[0].Direction;
}
