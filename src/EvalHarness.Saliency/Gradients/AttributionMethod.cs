using EvalHarness.Engine;

namespace EvalHarness.Saliency.Gradients;

/// <summary>
/// Base of methods that attribute the target logit to every input value (N×C×H×W): a variant supplies
/// the attribution; the map is its channel reduction (<see cref="AttributionMaps"/>) divided by its
/// maximum. The raw attribution is kept in Extras["attribution"], the unnormalised map in Extras["raw_map"].
/// </summary>
public abstract class AttributionMethod : ISaliencyMethod
{
    protected AttributionMethod(string reduction, string method) => Reduction = AttributionMaps.CheckReduction(reduction, method);

    /// <summary>How channels are combined into one map (see <see cref="AttributionMaps"/>).</summary>
    public string Reduction { get; }

    public abstract MethodDescriptor Descriptor { get; }

    public SaliencyResult Explain(ExplainContext context, Tensor images, IReadOnlyList<int> targets)
    {
        SaliencyChecks.CheckBatch(context, images, targets);
        var extras = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var attribution = Attribute(context, images, targets, extras);
        return AttributionMaps.Result(attribution, Reduction, extras);
    }

    /// <summary>The N×C×H×W attribution; further per-image outputs go into <paramref name="extras"/>.</summary>
    protected abstract Tensor Attribute(ExplainContext context, Tensor images, IReadOnlyList<int> targets, Dictionary<string, Tensor> extras);
}
