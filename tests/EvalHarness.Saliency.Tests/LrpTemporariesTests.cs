using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;
using EvalHarness.Saliency.Lrp;

namespace EvalHarness.Saliency.Tests;

/// <summary>
/// The built-in LRP rules give their intermediate tensors back to <see cref="TensorBuffers"/> when a call ends,
/// and never the relevance they return. Large tensors (pooled sizes); the pool is process-wide, so these tests
/// run alone.
/// </summary>
[Collection(nameof(LrpPoolState))]
public class LrpTemporariesTests
{
    private static (Node Node, Conv2d Conv, Tensor X, Tensor Y, Tensor R) Case()
    {
        var conv = new Conv2d(4, 8, 3, padding: 1);
        var b = new GraphBuilder();
        b.Add("conv", conv, GraphBuilder.Input);
        var g = b.Build();
        TinyNets.Fill(g, 41);
        var x = Fill(new Tensor(1, 4, 64, 64), 42);
        var r = Fill(new Tensor(1, 8, 64, 64), 43);
        return (g.Nodes[0], conv, x, conv.Forward([x]), r);
    }

    private static Tensor Fill(Tensor t, ulong seed)
    {
        var rng = new Rng(seed);
        for (int i = 0; i < t.Length; i++) t.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        return t;
    }

    public static IEnumerable<object[]> Rules() =>
    [
        ["epsilon"], ["zplus"], ["alpha2beta1"], ["gamma"], ["zbox"], ["flat"], ["wsquare"],
    ];

    private static LrpRule Make(string name, Conv2d conv) => name switch
    {
        "epsilon" => new EpsilonRule(AffineLayer.Of(conv), 0.01f),
        "zplus" => new ZPlusRule(AffineLayer.Of(conv)),
        "alpha2beta1" => new AlphaBetaRule(AffineLayer.Of(conv), 2, 1),
        "gamma" => new GammaRule(AffineLayer.Of(conv), 0.25f),
        "zbox" => new ZBoxRule(AffineLayer.Of(conv), [-1f], [1f]),
        "flat" => new FlatRule(AffineLayer.Of(conv), squared: false),
        _ => new FlatRule(AffineLayer.Of(conv), squared: true),
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void A_rule_gives_back_its_intermediates_and_keeps_its_result(string name)
    {
        var (node, conv, x, y, r) = Case();
        var rule = Make(name, conv);
        var first = rule.Backward(node, [x], y, r, [true])[0]!; // builds the rule's layer copies
        var expected = (float[])first.Data.Clone();

        TensorBuffers.Trim();
        var relevance = rule.Backward(node, [x], y, r, [true])[0]!;
        Assert.Equal(expected, relevance.Data); // same inputs, same bits
        // at least the ratio R / stab(z) (one output-sized tensor) came back
        Assert.True(TensorBuffers.FreeFloats >= r.Length, $"{name}: {TensorBuffers.FreeFloats} floats free after the call");

        // everything the pool holds may now be handed to someone else and overwritten: the relevance must not change
        var taken = new List<float[]>();
        foreach (int length in new[] { x.Length, r.Length })
            for (int k = 0; k < 8; k++)
            {
                var buffer = TensorBuffers.RentUninitialized(length);
                Array.Fill(buffer, float.NaN);
                taken.Add(buffer);
            }
        Assert.Equal(expected, relevance.Data);
        foreach (var buffer in taken) TensorBuffers.Return(buffer);
        TensorBuffers.Trim();
    }
}

[CollectionDefinition(nameof(LrpPoolState), DisableParallelization = true)]
public sealed class LrpPoolState;
