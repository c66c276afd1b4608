using EvalHarness.Engine;
using EvalHarness.Saliency.Gradients;
using EvalHarness.Saliency.Lrp;
using Tensor = EvalHarness.Engine.Tensor;

namespace EvalHarness.Saliency.Methods;

/// <summary>
/// Layer-wise relevance propagation (Bach et al. 2015; Montavon et al. 2019) with the rules of an
/// <see cref="LrpComposite"/> (default zennit's epsilon-plus). The relevance at the output is the one-hot
/// vector of the target class (zennit's attr_output), so with conserving rules and no biases the input
/// relevance sums to 1. Extras["attribution"] is the input relevance (N×C×H×W); the map is |Σ_c R_c| by
/// default.
/// </summary>
public sealed class LayerwiseRelevance : AttributionMethod
{
    private readonly LrpComposite.Settings _settings;

    public LayerwiseRelevance(string composite, LrpComposite.Settings settings, bool canonize = true, string reduction = "abs-sum")
        : base(reduction, "lrp")
    {
        composite = composite.Trim().ToLowerInvariant();
        if (!LrpComposite.Names.Contains(composite) || composite == "clrp")
            throw new UnknownNameException(NameMatcher.UnknownMessage("LRP composite", composite, LrpComposite.Names.Where(c => c != "clrp").ToList()));
        Composite = composite;
        _settings = settings;
        Canonize = canonize;
        Descriptor = new("lrp", 1, "relevance", false,
            $"Bach et al. 2015; Montavon et al. 2019; zennit composite {composite}{(canonize ? " with batch-norm folding" : "")}; map {Reduction}");
    }

    public string Composite { get; }

    public bool Canonize { get; }

    public override MethodDescriptor Descriptor { get; }

    protected override Tensor Attribute(ExplainContext context, Tensor images, IReadOnlyList<int> targets, Dictionary<string, Tensor> extras)
    {
        var composite = new LrpComposite(Composite, context.Graph, _settings, Canonize);
        composite.Validate();
        return InputGradients.Of(context, images, targets, composite.RuleFor);
    }
}
