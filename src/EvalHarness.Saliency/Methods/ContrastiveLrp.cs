using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Saliency.Gradients;
using EvalHarness.Saliency.Lrp;
using Tensor = EvalHarness.Engine.Tensor;

namespace EvalHarness.Saliency.Methods;

/// <summary>
/// Contrastive LRP (Gu, Yang &amp; Tresp 2018, arXiv 1812.02100, §3.2 and eq. 6), following
/// JindongGu/Contrastive-LRP: relevance R of the target class and R_dual of a virtual dual class are both
/// propagated with the <c>clrp</c> composite (zᴮ on the first convolution, z⁺ without bias elsewhere), the
/// output relevance being the absolute logit |y|; each is divided by its total and
/// R_CLRP = max(0, R/ΣR − R_dual/ΣR_dual). Dual classes, named as in the paper and the authors' code
/// (CLRP1/type1, CLRP2/type2):
/// <list type="bullet">
/// <item><c>type1</c> (default, the authors' run.py): every class except c, each seeded with its |y^k|
/// (last-layer weights W_{−j}).</item>
/// <item><c>type2</c>: class c with its weights negated: |y^c| propagated through −W in the last
/// convolution or linear layer.</item>
/// </list>
/// (METHODS-AND-METRICS.md lists the two the other way round; the paper and the code agree with this file.)
/// The map is Σ_c R_CLRP (non-negative) divided by its maximum.
/// </summary>
public sealed class ContrastiveLrp : AttributionMethod
{
    public static readonly IReadOnlyList<string> Types = ["type1", "type2"];

    private readonly LrpComposite.Settings _settings;

    public ContrastiveLrp(string type, LrpComposite.Settings settings, bool canonize = true, string reduction = "sum-abs")
        : base(reduction, "clrp")
    {
        type = type.Trim().ToLowerInvariant();
        if (!Types.Contains(type)) throw new UnknownNameException(NameMatcher.UnknownMessage("CLRP type", type, Types.ToList()));
        Type = type;
        _settings = settings;
        Canonize = canonize;
        Descriptor = new("clrp", 1, "relevance", false,
            $"Gu, Yang & Tresp 2018 (arXiv 1812.02100), eq. 6; JindongGu/Contrastive-LRP; {type}; map {Reduction}");
    }

    public string Type { get; }

    public bool Canonize { get; }

    public override MethodDescriptor Descriptor { get; }

    protected override Tensor Attribute(ExplainContext context, Tensor images, IReadOnlyList<int> targets, Dictionary<string, Tensor> extras)
    {
        var graph = context.Graph;
        var target = new LrpComposite("clrp", graph, _settings, Canonize);
        target.Validate();
        int lastAffine = graph.Nodes.LastOrDefault(n => AffineLayer.IsAffine(n.Layer))?.Index
            ?? throw new EvalHarnessException("CLRP needs a network with a convolution or linear layer.");
        var dual = Type == "type2"
            ? new LrpComposite("clrp", graph, _settings, Canonize,
                (node, affine) => node.Index == lastAffine ? new ZPlusRule(affine, _settings.Stabilizer, positiveBias: false, negate: true) : null)
            : target;
        dual.Validate();

        var relevance = Tensor.Uninitialized(images.ShapeArray);
        var dualRelevance = Tensor.Uninitialized(images.ShapeArray);
        int item = images.ItemLength, batch = Math.Max(1, context.BatchSize);
        for (int start = 0; start < images.N; start += batch)
        {
            int len = Math.Min(batch, images.N - start);
            var run = graph.Forward(images.SliceBatch(start, len), recordForBackward: true);
            var logits = run.Output;
            if (logits.Rank != 2) throw new ShapeException($"CLRP needs class scores (N×classes); the network gives {logits.ShapeString}.");
            int classes = logits.Dim(1);
            var seed = new Tensor(logits.ShapeArray);
            var dualSeed = new Tensor(logits.ShapeArray);
            for (int n = 0; n < len; n++)
            {
                int c = targets[start + n];
                if ((uint)c >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(targets), $"Target class {c} is outside 0..{classes - 1}.");
                seed[n, c] = Math.Abs(logits[n, c]);                           // R = |y^c| at the target
                if (Type == "type2") dualSeed[n, c] = Math.Abs(logits[n, c]);  // same seed, negated weights
                else
                    for (int k = 0; k < classes; k++) dualSeed[n, k] = k == c ? 0 : Math.Abs(logits[n, k]); // all other classes
            }
            Propagate(run, seed, target, relevance, start * item);
            Propagate(run, dualSeed, dual, dualRelevance, start * item);
        }

        var result = new Tensor(images.ShapeArray);
        for (int n = 0; n < images.N; n++)
        {
            var r = relevance.Sample(n);
            var d = dualRelevance.Sample(n);
            double sr = Sum(r), sd = Sum(d);
            var dst = result.Sample(n);
            for (int i = 0; i < item; i++)
            {
                double v = (sr != 0 ? r[i] / sr : 0) - (sd != 0 ? d[i] / sd : 0);
                dst[i] = (float)Math.Max(0, v); // eq. 6: R_CLRP = max(0, R − R_dual), each normalised by its sum
            }
        }
        extras["relevance"] = relevance;
        extras["dual_relevance"] = dualRelevance;
        return result;
    }

    private static void Propagate(Execution run, Tensor seed, LrpComposite composite, Tensor into, int offset)
    {
        run.Backward(seed, new BackwardOptions { Rules = composite.RuleFor });
        var r = run.InputGradient ?? new Tensor(run.Input.ShapeArray);
        r.Data.AsSpan().CopyTo(into.Data.AsSpan(offset, r.Length));
    }

    private static double Sum(ReadOnlySpan<float> values)
    {
        double s = 0;
        foreach (float v in values) s += v;
        return s;
    }
}
