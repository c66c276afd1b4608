using EvalHarness.Metrics;

namespace EvalHarness.Harness;

/// <summary>A metric as the run uses it: its unique id, descriptor, parameters and how to make a fresh instance.</summary>
public sealed record MetricPlan(string Id, MetricDescriptor Descriptor, IReadOnlyDictionary<string, string> Parameters, Func<IMetric> Create)
{
    public string Identity => $"metric={Descriptor.Name};v={Descriptor.Version};params={PlanText.Parameters(Parameters)}";
}
