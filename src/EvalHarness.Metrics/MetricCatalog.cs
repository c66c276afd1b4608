using EvalHarness.Engine;
using EvalHarness.Metrics.Faithfulness;
using EvalHarness.Metrics.Localization;
using EvalHarness.Metrics.Sanity;
using EvalHarness.Metrics.Shap;

namespace EvalHarness.Metrics;

/// <summary>
/// The registry of metrics: one line per metric. Names are case-insensitive; a miss is answered with
/// the nearest names. Parameters come from the config as a string map; unknown ones are errors.
/// </summary>
public static class MetricCatalog
{
    private static readonly Registry<Func<MethodParameters, IMetric>> Metrics = new("metric")
    {
        ["average-drop"] = AverageDrop.FromParameters,
        ["average-increase"] = AverageIncrease.FromParameters,
        ["deletion"] = Deletion.FromParameters,
        ["insertion"] = Insertion.FromParameters,
        ["pointing-game"] = PointingGame.FromParameters,
        ["energy-pointing-game"] = EnergyPointingGame.FromParameters,
        ["shap-error"] = ShapError.FromParameters,
        ["sanity-randomization"] = SanityRandomization.FromParameters,
    };

    public static IReadOnlyList<string> Names => Metrics.Names;

    public static IMetric Create(string name, IReadOnlyDictionary<string, string>? parameters = null)
    {
        var factory = Metrics.Get(name);
        var p = new MethodParameters(name, parameters, "metric");
        var metric = factory(p);
        p.EnsureAllUsed();
        return metric;
    }
}
