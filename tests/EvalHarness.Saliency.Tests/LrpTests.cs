using EvalHarness.Engine;
using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;
using EvalHarness.Saliency.Lrp;
using EvalHarness.Saliency.Methods;

namespace EvalHarness.Saliency.Tests;

/// <summary>
/// LRP composites on a graph with a folded batch norm, a residual Add, a concatenation, max and average
/// pooling: relevance is conserved node by node and in total (no biases, ε → 0); rules are attached by
/// type with a special first layer; CLRP's dual relevances match independent constructions.
/// </summary>
public class LrpTests
{
    private static readonly LrpComposite.Settings Settings = new(1e-9f, 0.25f, [-3f], [3f], 1e-9f);

    /// <summary>conv → bn → relu → [conv → relu] + → relu → concat(·, conv1×1 → relu) → maxpool → avgpool → gap → fc → relu → fc.</summary>
    private static Graph BranchyNet(bool bias, ulong seed = 51)
    {
        var b = new GraphBuilder();
        b.Add("conv0", new Conv2d(3, 4, 3, padding: 1, bias: bias), GraphBuilder.Input);
        b.Add("bn0", new BatchNorm2d(4));
        int stem = b.Add("relu0", new ReLU());
        b.Add("block.conv", new Conv2d(4, 4, 3, padding: 1, bias: bias), stem);
        int branch = b.Add("block.relu", new ReLU());
        b.Add("add", new Add(), stem, branch);
        int trunk = b.Add("relu1", new ReLU());
        b.Add("side", new Conv2d(4, 2, 1, bias: bias), trunk);
        int side = b.Add("side_relu", new ReLU());
        b.Add("cat", new Concat(), trunk, side);
        b.Add("pool", new MaxPool2d(2));
        b.Add("avg", new AvgPool2d(2));
        b.Add("gap", new AdaptiveAvgPool2d(1));
        b.Add("flatten", new Flatten());
        b.Add("fc1", new Linear(6, 5, bias: bias));
        b.Add("relu2", new ReLU());
        b.Add("fc2", new Linear(5, 3, bias: bias));
        var g = b.Build();
        TinyNets.Fill(g, seed);
        var bn = (BatchNorm2d)g.NodeOf("bn0").Layer;
        for (int k = 0; k < 4; k++)
        {
            bn.Weight.Value[k] = 0.6f + 0.2f * k;
            bn.RunningVar.Value[k] = 0.5f + 0.3f * k;
            bn.RunningMean.Value[k] = bias ? 0.05f * k : 0;
            bn.Bias.Value[k] = bias ? 0.1f - 0.05f * k : 0;
        }
        return g;
    }

    /// <summary>Wraps every node's rule (or own backward) and records Σ R_out and Σ R_in.</summary>
    private sealed class Recorder(LrpComposite composite) : IBackwardRule
    {
        public List<(string Node, double Out, double In)> Log { get; } = [];

        public IBackwardRule Wrap(Node node) => this;

        public Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput)
        {
            var rule = composite.RuleFor(node);
            var result = rule != null
                ? rule.Backward(node, inputs, output, gradOutput, needInput)
                : node.Layer.Backward(inputs, output, gradOutput, needInput, parameterGradients: false);
            Log.Add((node.Name, Sum(gradOutput), result.Where(r => r != null).Sum(r => Sum(r!))));
            return result;
        }
    }

    private static double Sum(Tensor t) => t.Data.Sum(v => (double)v);

    [Theory]
    [InlineData("epsilon")]
    [InlineData("epsilon-plus")]
    [InlineData("epsilon-gamma-box")]
    [InlineData("epsilon-alpha2-beta1")]
    [InlineData("epsilon-plus-flat")]
    [InlineData("epsilon-alpha2-beta1-flat")]
    public void Relevance_is_conserved_layer_by_layer_without_biases(string name)
    {
        var g = BranchyNet(bias: false);
        var x = TinyNets.Images(2);
        var composite = new LrpComposite(name, g, Settings);
        var recorder = new Recorder(composite);
        var run = g.Forward(x);
        run.BackwardFromClasses([0, 2], new BackwardOptions { Rules = recorder.Wrap });
        Assert.Equal(g.Nodes.Count, recorder.Log.Count);
        // αβ conserves only where an output has both positive and negative contributions (with none of one
        // sign its share is dropped, as in zennit); its formula is checked in LrpRuleTests instead.
        var alphaBeta = g.Nodes.Where(nd => composite.RuleFor(nd) is AlphaBetaRule).Select(nd => nd.Name).ToHashSet();
        foreach (var (node, rOut, rIn) in recorder.Log.Where(e => !alphaBeta.Contains(e.Node)))
            Assert.True(Math.Abs(rOut - rIn) <= 1e-4 * Math.Max(1, Math.Abs(rOut)), $"{name} at {node}: Σ R out {rOut}, Σ R in {rIn}");
        if (alphaBeta.Count > 0) return;
        Assert.Equal(2.0, Sum(run.InputGradient!), 3); // one unit of relevance per image
        for (int n = 0; n < 2; n++) Assert.Equal(1.0, run.InputGradient!.Sample(n).ToArray().Sum(v => (double)v), 3);
    }

    [Fact]
    public void Rules_are_attached_by_layer_type_with_a_special_first_layer()
    {
        var g = BranchyNet(bias: true);
        var c = new LrpComposite("epsilon-gamma-box", g, Settings);
        Assert.Equal(g.IndexOf("conv0"), c.FirstLayer);
        Assert.IsType<ZBoxRule>(c.RuleFor(g.NodeOf("conv0")));
        Assert.IsType<PassRule>(c.RuleFor(g.NodeOf("bn0")));
        Assert.IsType<GammaRule>(c.RuleFor(g.NodeOf("block.conv")));
        Assert.IsType<GammaRule>(c.RuleFor(g.NodeOf("side")));
        Assert.IsType<PassRule>(c.RuleFor(g.NodeOf("relu1")));
        Assert.IsType<NormRule>(c.RuleFor(g.NodeOf("add")));
        Assert.IsType<NormRule>(c.RuleFor(g.NodeOf("avg")));
        Assert.IsType<NormRule>(c.RuleFor(g.NodeOf("gap")));
        Assert.Null(c.RuleFor(g.NodeOf("pool")));
        Assert.Null(c.RuleFor(g.NodeOf("cat")));
        Assert.IsType<EpsilonRule>(c.RuleFor(g.NodeOf("fc1")));
        var plus = new LrpComposite("epsilon-plus", g, Settings);
        Assert.IsType<ZPlusRule>(plus.RuleFor(g.NodeOf("conv0")));
        Assert.IsType<FlatRule>(new LrpComposite("epsilon-plus-flat", g, Settings).RuleFor(g.NodeOf("conv0")));
        Assert.IsType<AlphaBetaRule>(new LrpComposite("epsilon-alpha2-beta1", g, Settings).RuleFor(g.NodeOf("side")));
    }

    [Fact]
    public void Folding_the_batch_norm_equals_lrp_on_the_network_with_merged_weights()
    {
        var g = BranchyNet(bias: true);
        var x = TinyNets.Images(2);
        var before = g.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Value.Data.ToArray());
        var ctx = new ExplainContext { Graph = g, BatchSize = 2 };
        var settings = new LrpComposite.Settings(1e-6f, 0.25f, [-3f], [3f]);
        var lrp = new LayerwiseRelevance("epsilon-gamma-box", settings).Explain(ctx, x, [1, 2]).Extras["attribution"];
        foreach (var (name, p) in g.StateDict()) Assert.Equal(before[name], p.Value.Data);

        // The same network with the batch norm merged by hand into conv0 and replaced by an identity.
        var merged = BranchyNet(bias: true);
        var conv = (Conv2d)merged.NodeOf("conv0").Layer;
        var bn = (BatchNorm2d)merged.NodeOf("bn0").Layer;
        var b = new GraphBuilder();
        var conv0 = new Conv2d(3, 4, 3, padding: 1, bias: true);
        b.Add("conv0", conv0, GraphBuilder.Input);
        int stem = b.Add("relu0", new ReLU());
        var rest = new[] { "block.conv", "block.relu", "add", "relu1", "side", "side_relu", "cat", "pool", "avg", "gap", "flatten", "fc1", "relu2", "fc2" };
        var map = new Dictionary<int, int> { [merged.IndexOf("relu0")] = stem };
        foreach (var name in rest)
        {
            var node = merged.NodeOf(name);
            map[node.Index] = b.Add(name, node.Layer, node.Inputs.Select(i => map[i]).ToArray());
        }
        var hand = b.Build();
        for (int o = 0; o < 4; o++)
        {
            double scale = bn.Weight.Value[o] / Math.Sqrt(bn.RunningVar.Value[o] + bn.Eps);
            for (int i = 0; i < 27; i++) conv0.Weight.Value.Data[o * 27 + i] = (float)(conv.Weight.Value.Data[o * 27 + i] * scale);
            conv0.Bias!.Value[o] = (float)((conv.Bias!.Value[o] - bn.RunningMean.Value[o]) * scale + bn.Bias.Value[o]);
        }
        var reference = new LayerwiseRelevance("epsilon-gamma-box", settings).Explain(new ExplainContext { Graph = hand }, x, [1, 2]).Extras["attribution"];
        double max = reference.Data.Max(Math.Abs);
        for (int i = 0; i < reference.Length; i++) Assert.True(Math.Abs(reference.Data[i] - lrp.Data[i]) <= 1e-4 * max, $"element {i}");
    }

    [Fact]
    public void Layers_without_a_rule_are_named_with_the_composite()
    {
        var b = new GraphBuilder();
        b.Add("conv", new Conv2d(3, 2, 3), GraphBuilder.Input);
        b.Add("flatten", new Flatten());
        b.Add("softmax", new Softmax());
        var g = b.Build();
        var ex = Assert.Throws<EvalHarnessException>(() => SaliencyCatalog.Create("lrp", new Dictionary<string, string> { ["composite"] = "epsilon-plus" })
            .Explain(new ExplainContext { Graph = g }, TinyNets.Images(1), [0]));
        Assert.Contains("'softmax'", ex.Message);
        Assert.Contains("epsilon-plus", ex.Message);

        var bnNet = BranchyNet(bias: true);
        var ex2 = Assert.Throws<EvalHarnessException>(() => SaliencyCatalog.Create("lrp", new Dictionary<string, string> { ["canonize"] = "false" })
            .Explain(new ExplainContext { Graph = bnNet }, TinyNets.Images(1), [0]));
        Assert.Contains("'bn0'", ex2.Message);
        Assert.Throws<UnknownNameException>(() => SaliencyCatalog.Create("lrp", new Dictionary<string, string> { ["composite"] = "epsilon-pluss" }));
        Assert.Throws<EvalHarnessException>(() => SaliencyCatalog.Create("lrp", new Dictionary<string, string> { ["low"] = "a,b" }));
        Assert.Throws<EvalHarnessException>(() => SaliencyCatalog.Create("lrp", new Dictionary<string, string> { ["canonize"] = "maybe" }));
        var ex3 = Assert.Throws<EvalHarnessException>(() => SaliencyCatalog.Create("lrp", new Dictionary<string, string> { ["composite"] = "epsilon-gamma-box", ["low"] = "-1,-1", ["high"] = "1,1" })
            .Explain(new ExplainContext { Graph = bnNet }, TinyNets.Images(1), [0]));
        Assert.Contains("channels", ex3.Message);
    }

    [Theory]
    [InlineData("type1")]
    [InlineData("type2")]
    public void Clrp_subtracts_the_normalised_dual_relevance(string type)
    {
        var g = BranchyNet(bias: true);
        var x = TinyNets.Images(2);
        int[] t = [1, 2];
        var ctx = new ExplainContext { Graph = g, BatchSize = 1 };
        var r = new ContrastiveLrp(type, Settings).Explain(ctx, x, t);
        var logits = g.Forward(x, recordForBackward: false).Output;

        for (int n = 0; n < 2; n++)
        {
            var xn = x.SliceBatch(n, 1);
            // Target relevance: the clrp composite from |y^c| at the target.
            var target = Relevance(g, xn, Seed(3, (t[n], Math.Abs(logits[n, t[n]]))), new LrpComposite("clrp", g, Settings));
            double[] dual;
            if (type == "type1")
            {
                // Linearity in the seed: the sum of per-class runs, each seeded with |y^k|.
                dual = new double[xn.Length];
                for (int k = 0; k < 3; k++)
                {
                    if (k == t[n]) continue;
                    var rk = Relevance(g, xn, Seed(3, (k, Math.Abs(logits[n, k]))), new LrpComposite("clrp", g, Settings));
                    for (int i = 0; i < dual.Length; i++) dual[i] += rk[i];
                }
            }
            else
            {
                // A copy of the network whose last layer has the target's weights negated.
                var neg = BranchyNet(bias: true);
                var fc = (Linear)neg.NodeOf("fc2").Layer;
                for (int i = 0; i < 5; i++) fc.Weight.Value[t[n], i] = -fc.Weight.Value[t[n], i];
                dual = Relevance(neg, xn, Seed(3, (t[n], Math.Abs(logits[n, t[n]]))), new LrpComposite("clrp", neg, Settings));
            }
            double st = target.Sum(), sd = dual.Sum();
            var got = r.Extras["attribution"].Sample(n);
            for (int i = 0; i < target.Length; i++)
                Assert.True(Math.Abs(Math.Max(0, target[i] / st - dual[i] / sd) - got[i]) <= 1e-5, $"{type}, image {n}, element {i}");
            for (int i = 0; i < target.Length; i++) Assert.Equal(target[i], r.Extras["relevance"].Sample(n)[i], 4);
        }
        Assert.All(r.Maps.Data, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains(r.Maps.Data, v => v == 1f);
    }

    private static Tensor Seed(int classes, (int Class, float Value) entry)
    {
        var s = new Tensor(1, classes);
        s[0, entry.Class] = entry.Value;
        return s;
    }

    private static double[] Relevance(Graph g, Tensor x, Tensor seed, LrpComposite composite)
    {
        var run = g.Forward(x);
        run.Backward(seed, new BackwardOptions { Rules = composite.RuleFor });
        return run.InputGradient!.Data.Select(v => (double)v).ToArray();
    }
}
