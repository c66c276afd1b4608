using System.Globalization;
using EvalHarness.Harness.Datasets;
using EvalHarness.Models.Config;

namespace EvalHarness.Harness.Running;

/// <summary>
/// The content keys of the result store: an image's key hashes the model (weights' SHA-256 or the
/// deterministic-init seed, architecture, classes, preprocessing), the image id and the target rule; a
/// map's key adds the method's identity and seed; an evaluation's key adds the metric's identity and seed.
/// </summary>
internal sealed class RunKeys
{
    private readonly RunPlan _plan;
    private readonly string _model;
    private readonly string[] _methodParts;
    private readonly string[] _metricParts;

    public RunKeys(RunPlan plan, string? weightsSha256)
    {
        _plan = plan;
        var m = plan.Model;
        string weights = weightsSha256 is null ? $"eh-init-v1:{m.InitSeed.ToString(CultureInfo.InvariantCulture)}" : $"sha256:{weightsSha256}:{m.StripPrefix}";
        _model = PlanText.Sha256($"model|{m.Architecture}|{m.NumClasses}|{weights}|{m.Preprocessing}");
        _methodParts = plan.Methods.Select(x => $"{x.Identity}|seed={plan.SeedFor("method", x.Descriptor.Name)}").ToArray();
        _metricParts = plan.Metrics.Select(x => $"{x.Identity}|seed={plan.SeedFor("metric", x.Descriptor.Name)}").ToArray();
    }

    public string Image(DatasetItem item) => PlanText.Sha256($"{_model}|image={item.Id}|target={_plan.Target}");

    public string Map(string imageKey, int method) => PlanText.Sha256($"{imageKey}|{_methodParts[method]}");

    public string Evaluation(string mapKey, int metric) => PlanText.Sha256($"{mapKey}|{_metricParts[metric]}");
}
