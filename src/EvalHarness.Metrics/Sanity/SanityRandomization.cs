using EvalHarness.Engine;
using EvalHarness.Metrics.Statistics;

namespace EvalHarness.Metrics.Sanity;

/// <summary>
/// Model-parameter randomisation test (Adebayo et al. 2018 §3.1, cascading randomisation): randomise
/// the parameterised layers one at a time from the output down (<see cref="CascadingRandomization"/>),
/// re-run the method after each layer, and report per image the Spearman rank correlation between the
/// original map and the map of the progressively randomised model ("spearman:&lt;layer&gt;", cascade order).
/// A method that passes the test loses correlation as layers are randomised. The model is restored
/// afterwards, also after an exception. Needs the method (MetricContext.Method).
/// </summary>
public sealed class SanityRandomization : IMetric
{
    public SanityRandomization(int maxLayers = 0)
    {
        if (maxLayers < 0) throw new EvalHarnessException($"max_layers must be ≥ 0 (0: every parameterised layer), got {maxLayers}.");
        MaxLayers = maxLayers;
    }

    /// <summary>How many layers of the cascade to randomise (0: all).</summary>
    public int MaxLayers { get; }

    public MetricDescriptor Descriptor { get; } = new("sanity-randomization", 1, MetricCategory.Sanity,
        "Adebayo et al. 2018 (arXiv 1810.03292) §3.1, cascading randomisation",
        [new MetricOutput("spearman:{layer}", MetricDirection.LowerIsBetter,
            "Spearman rank correlation of the original map with the map after randomising every layer from the output down to {layer}")]);

    public static SanityRandomization FromParameters(MethodParameters p) => new(p.Int("max_layers", 0, 0));

    public MetricBatchResult Evaluate(MetricContext context)
    {
        string name = Descriptor.Name;
        context.Validate(name);
        var method = context.Method ?? throw new EvalHarnessException($"Metric '{name}' re-runs the saliency method; the context has none (MetricContext.Method).");
        var records = new List<MetricRecord>();
        var explain = context.ExplainContext();
        using (var cascade = new CascadingRandomization(context.Graph, context.Seed))
        {
            int layers = MaxLayers == 0 ? cascade.Layers.Count : Math.Min(MaxLayers, cascade.Layers.Count);
            if (layers == 0) throw new EvalHarnessException($"Metric '{name}': the model has no layer with trainable parameters to randomise.");
            for (int l = 0; l < layers; l++)
            {
                var node = cascade.RandomiseNext();
                string value = "spearman:" + node.Name;
                var maps = method.Explain(explain, context.Images, context.Targets).Maps;
                if (maps.Length != context.Maps.Length)
                    throw new ShapeException($"Metric '{name}': the method's maps after randomising '{node.Name}' are {maps.ShapeString}; the original maps are {context.Maps.ShapeString}.");
                int plane = context.H * context.W;
                for (int n = 0; n < context.N; n++)
                {
                    int c = context.Targets[n];
                    var randomised = maps.Data.AsSpan(n * plane, plane);
                    string? problem = context.MapProblem(n) is { } p ? "original map: " + p : null;
                    foreach (float v in randomised)
                        if (!float.IsFinite(v)) problem ??= "the randomised model's map is not finite";
                    double rho = problem is null ? RankStatistics.Spearman(context.Map(n), randomised) : double.NaN;
                    if (problem is null && double.IsNaN(rho)) problem = "a map is constant, so its ranks carry no order";
                    records.Add(problem is null ? new MetricRecord(n, c, name, value, rho) : MetricRecord.NotDefined(n, c, name, value, problem));
                }
            }
        }
        return new MetricBatchResult
        {
            Records = records,
            Protocol = $"{name} v{Descriptor.Version}: cascading randomisation from the output down" + (MaxLayers > 0 ? $" ({MaxLayers} layers at most)" : "") +
                "; trainable parameters re-initialised N(0, σ²) with σ of the original tensor, seeded by parameter name; Spearman ρ (average ranks) per layer",
        };
    }
}
