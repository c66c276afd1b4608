using EvalHarness.Engine;
using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Saliency.Lrp;

/// <summary>
/// Attaches an LRP rule to every node of a graph by layer type, as zennit's composites do: the first
/// matching entry of the first-layer map (for the first convolution or linear layer in graph order) or
/// else of the layer map wins. Every composite shares zennit's base map: ReLU/ReLU6 → pass, Add and
/// average pooling (AvgPool2d, AdaptiveAvgPool2d) → norm (proportional split), a folded batch norm → pass;
/// max pooling, flatten, dropout, identity and concatenation keep their gradient (max pooling routes all
/// relevance to the window's winner; concatenation hands each part its own relevance). Named composites
/// (zennit's):
/// <list type="bullet">
/// <item><c>epsilon-plus</c> (EpsilonPlus): conv → z⁺, linear → ε.</item>
/// <item><c>epsilon-gamma-box</c> (EpsilonGammaBox): first conv → zᴮ(low, high), conv → γ, linear → ε.</item>
/// <item><c>epsilon-alpha2-beta1</c> (EpsilonAlpha2Beta1): conv → α2β1, linear → ε.</item>
/// <item><c>epsilon-plus-flat</c> (EpsilonPlusFlat): first layer → flat, conv → z⁺, linear → ε.</item>
/// <item><c>epsilon-alpha2-beta1-flat</c> (EpsilonAlpha2Beta1Flat): first layer → flat, conv → α2β1, linear → ε.</item>
/// <item><c>epsilon</c>: conv and linear → ε (LRP-0 as ε → 0).</item>
/// <item><c>clrp</c> (JindongGu/Contrastive-LRP): first conv → zᴮ(low, high), every other conv and linear → z⁺ without bias.</item>
/// </list>
/// With canonization (default) each batch norm after a convolution is folded into it (<see cref="BatchNormCanonizer"/>);
/// a batch norm that cannot be folded, and any layer type without a rule, is an error naming the layer and the composite.
/// </summary>
public sealed class LrpComposite
{
    public static readonly IReadOnlyList<string> Names =
        ["epsilon-plus", "epsilon-gamma-box", "epsilon-alpha2-beta1", "epsilon-plus-flat", "epsilon-alpha2-beta1-flat", "epsilon", "clrp"];

    private readonly Graph _graph;
    private readonly Settings _settings;
    private readonly Dictionary<int, (int BatchNorm, AffineLayer Folded)> _folded;
    private readonly HashSet<int> _foldedNorms;
    private readonly int _firstAffine;
    private readonly Dictionary<int, IBackwardRule?> _rules = [];
    private readonly Func<Node, AffineLayer, LrpRule?>? _override;
    private readonly List<(string Types, Func<Layer, bool> Match, Func<Node, AffineLayer?, IBackwardRule?> Rule)> _firstMap = [];
    private readonly List<(string Types, Func<Layer, bool> Match, Func<Node, AffineLayer?, IBackwardRule?> Rule)> _layerMap = [];

    /// <summary>Rule parameters: ε of the ε rule, γ, the zᴮ bounds (one value or one per input channel), and the stabiliser of the other rules.</summary>
    public sealed record Settings(float Epsilon, float Gamma, float[] Low, float[] High, float Stabilizer = LrpRule.DefaultStabilizer);

    /// <param name="override">Consulted first for convolution and linear nodes (e.g. CLRP's negated last layer); null falls through to the maps.</param>
    public LrpComposite(string name, Graph graph, Settings settings, bool canonize = true, Func<Node, AffineLayer, LrpRule?>? @override = null)
    {
        var n = name.Trim().ToLowerInvariant();
        if (!Names.Contains(n)) throw new UnknownNameException(NameMatcher.UnknownMessage("LRP composite", name, Names.ToList()));
        Name = n;
        _graph = graph;
        _settings = settings;
        _override = @override;
        _folded = canonize ? BatchNormCanonizer.Fold(graph) : [];
        _foldedNorms = _folded.Values.Select(v => v.BatchNorm).ToHashSet();
        _firstAffine = graph.Nodes.FirstOrDefault(x => AffineLayer.IsAffine(x.Layer))?.Index ?? -1;
        var s = settings;
        Func<Layer, bool> conv = l => l is Conv2d, linear = l => l is Linear, affine = AffineLayer.IsAffine;

        // zennit's layer_map_base
        _layerMap.Add(("ReLU, ReLU6", l => l is ReLU or ReLU6, (_, _) => PassRule.Instance));
        _layerMap.Add(("Add", l => l is Add, (_, _) => new NormRule(s.Stabilizer)));
        _layerMap.Add(("AvgPool2d, AdaptiveAvgPool2d", l => l is AvgPool2d or AdaptiveAvgPool2d, (_, _) => new NormRule(s.Stabilizer)));
        _layerMap.Add(("BatchNorm2d (folded)", l => l is BatchNorm2d, (node, _) => _foldedNorms.Contains(node.Index) ? PassRule.Instance
            : throw new EvalHarnessException($"LRP composite '{Name}': the batch norm '{node.Name}' does not directly follow a convolution " +
                "whose output only it reads, so it cannot be folded (or canonization is off); LRP has no rule for a standalone batch norm.")));
        _layerMap.Add(("MaxPool2d, Flatten, Dropout, Identity, Concat (gradient)", l => l is MaxPool2d or Flatten or Identity or Concat, (_, _) => null));

        switch (n)
        {
            case "epsilon-plus":
                _layerMap.Add(("Conv2d", conv, (_, a) => new ZPlusRule(a!, s.Stabilizer)));
                break;
            case "epsilon-gamma-box":
                _firstMap.Add(("Conv2d", conv, (_, a) => new ZBoxRule(a!, s.Low, s.High, s.Stabilizer)));
                _layerMap.Add(("Conv2d", conv, (_, a) => new GammaRule(a!, s.Gamma, s.Stabilizer)));
                break;
            case "epsilon-alpha2-beta1":
                _layerMap.Add(("Conv2d", conv, (_, a) => new AlphaBetaRule(a!, 2, 1, s.Stabilizer)));
                break;
            case "epsilon-plus-flat":
                _firstMap.Add(("Conv2d, Linear", affine, (_, a) => new FlatRule(a!, squared: false, s.Stabilizer)));
                _layerMap.Add(("Conv2d", conv, (_, a) => new ZPlusRule(a!, s.Stabilizer)));
                break;
            case "epsilon-alpha2-beta1-flat":
                _firstMap.Add(("Conv2d, Linear", affine, (_, a) => new FlatRule(a!, squared: false, s.Stabilizer)));
                _layerMap.Add(("Conv2d", conv, (_, a) => new AlphaBetaRule(a!, 2, 1, s.Stabilizer)));
                break;
            case "epsilon":
                _layerMap.Add(("Conv2d", conv, (_, a) => new EpsilonRule(a!, s.Epsilon)));
                break;
            case "clrp":
                _firstMap.Add(("Conv2d", conv, (_, a) => new ZBoxRule(a!, s.Low, s.High, s.Stabilizer)));
                _layerMap.Add(("Conv2d", conv, (_, a) => new ZPlusRule(a!, s.Stabilizer, positiveBias: false)));
                _layerMap.Add(("Linear", linear, (_, a) => new ZPlusRule(a!, s.Stabilizer, positiveBias: false)));
                break;
        }
        _layerMap.Add(("Linear", linear, (_, a) => new EpsilonRule(a!, s.Epsilon)));
    }

    public string Name { get; }

    /// <summary>Index of the node the first-layer map applies to (the first convolution or linear layer), or -1.</summary>
    public int FirstLayer => _firstAffine;

    /// <summary>Conv node index → folded batch norm node index.</summary>
    public IReadOnlyDictionary<int, int> FoldedBatchNorms => _folded.ToDictionary(kv => kv.Key, kv => kv.Value.BatchNorm);

    /// <summary>The rule of a node (null: its own gradient). Throws for a layer no entry matches.</summary>
    public IBackwardRule? RuleFor(Node node)
    {
        if (_rules.TryGetValue(node.Index, out var rule)) return rule;
        rule = Create(node);
        _rules[node.Index] = rule;
        return rule;
    }

    /// <summary>Attaches a rule to every node now, so an unsupported layer fails before any forward pass.</summary>
    public void Validate()
    {
        foreach (var node in _graph.Nodes) RuleFor(node);
    }

    private IBackwardRule? Create(Node node)
    {
        AffineLayer? affine = null;
        if (AffineLayer.IsAffine(node.Layer))
        {
            affine = _folded.TryGetValue(node.Index, out var f) ? f.Folded : AffineLayer.Of(node.Layer);
            if (_override?.Invoke(node, affine) is { } special) return special;
        }
        if (node.Index == _firstAffine)
            foreach (var (_, match, make) in _firstMap)
                if (match(node.Layer)) return make(node, affine);
        foreach (var (_, match, make) in _layerMap)
            if (match(node.Layer)) return make(node, affine);
        throw new EvalHarnessException($"LRP composite '{Name}' has no rule for layer '{node.Name}' ({node.Layer.Kind}). " +
            $"It maps: {string.Join("; ", _firstMap.Select(e => "first " + e.Types).Concat(_layerMap.Select(e => e.Types)))}.");
    }
}
