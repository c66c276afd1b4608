using EvalHarness.Engine;
using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;
using EvalHarness.Saliency.Shapley;

namespace EvalHarness.Saliency.Tests;

/// <summary>
/// Sampled Shapley values through the incremental head equal those from full head passes for the same
/// permutations (up to float32 summation order), for each head shape it accepts; other heads fall back.
/// </summary>
public class IncrementalHeadTests
{
    /// <summary>conv(3→K) → ReLU ["features.1"] → the given head layers.</summary>
    private static Graph Net(int k, params (string Name, Layer Layer)[] head)
    {
        var b = new GraphBuilder();
        using (b.Scope("features"))
        {
            b.Add("0", new Conv2d(3, k, 3, padding: 1), GraphBuilder.Input);
            b.Add("1", new ReLU());
        }
        foreach (var (name, layer) in head) b.Add(name, layer);
        var g = b.Build();
        TinyNets.Fill(g, 7);
        return g;
    }

    public static TheoryData<string> Heads() => new(["squeezenet-like", "strided-3x3-conv", "vgg-like-linear", "grouped-players"]);

    private static Graph Head(string kind, int k) => kind switch
    {
        // Dropout → 1×1 conv → ReLU → GAP → flatten, as SqueezeNet's classifier.
        "squeezenet-like" or "grouped-players" => Net(k, ("drop", new Dropout()), ("conv", new Conv2d(k, 5, 1)), ("relu", new ReLU()),
            ("avgpool", new AdaptiveAvgPool2d(1)), ("flatten", new Flatten())),
        // A 3×3 convolution with stride and padding, then a non-linear classifier.
        "strided-3x3-conv" => Net(k, ("conv", new Conv2d(k, 4, 3, stride: 2, padding: 1)), ("relu", new ReLU()),
            ("avgpool", new AdaptiveAvgPool2d(1)), ("flatten", new Flatten()), ("fc", new Linear(4, 5))),
        // Max pooling → average pooling to 2×2 → flatten → linear → ReLU → linear, as VGG's classifier.
        _ => Net(k, ("pool", new MaxPool2d(2, 2)), ("avgpool", new AdaptiveAvgPool2d(2, 2)), ("flatten", new Flatten()),
            ("fc1", new Linear(4 * k, 6)), ("relu", new ReLU()), ("fc2", new Linear(6, 5))),
    };

    [Theory]
    [MemberData(nameof(Heads))]
    public void Incremental_values_equal_full_head_passes_for_the_same_permutations(string kind)
    {
        const int k = 24;
        var g = Head(kind, k);
        var a = g.ForwardTo(TinyNets.Images(1, 8, 8, seed: 3), "features.1").Output;
        var before = a.Clone();
        var ctx = new ExplainContext { Graph = g, TargetLayer = "features.1", BatchSize = 16, Seed = 5 };
        Assert.NotNull(IncrementalHead.TryCreate(g, "features.1", a));
        int groups = kind == "grouped-players" ? 7 : 0;
        var fast = new ActivationShapley(ctx, "features.1").Compute(a, 3, groups: groups, pairs: 6, exact: "never", rng: new Rng(9));
        var slow = new ActivationShapley(ctx, "features.1") { AllowIncremental = false }.Compute(a, 3, groups: groups, pairs: 6, exact: "never", rng: new Rng(9));
        Assert.Equal(before.Data, a.Data);
        double scale = slow.Values.Max(Math.Abs);
        Assert.True(scale > 1e-3, "the game is degenerate; the test proves nothing");
        for (int i = 0; i < slow.Values.Length; i++)
        {
            Assert.Equal(slow.Values[i], fast.Values[i], 2e-5 * scale);
            Assert.Equal(slow.StandardErrors[i], fast.StandardErrors[i], 2e-5 * scale);
        }
        Assert.Equal(slow.FullValue, fast.FullValue, 1e-5 * Math.Max(1, Math.Abs(slow.FullValue)));
        Assert.Equal(slow.EmptyValue, fast.EmptyValue, 1e-5 * Math.Max(1, Math.Abs(slow.EmptyValue)));
    }

    [Fact]
    public void Heads_that_do_not_commute_with_zeroing_maps_fall_back()
    {
        // BatchNorm maps a zeroed map to its bias: zeroing does not commute with it.
        var g = Net(6, ("bn", new BatchNorm2d(6)), ("conv", new Conv2d(6, 5, 1)), ("avgpool", new AdaptiveAvgPool2d(1)), ("flatten", new Flatten()));
        var a = g.ForwardTo(TinyNets.Images(1), "features.1").Output;
        Assert.Null(IncrementalHead.TryCreate(g, "features.1", a));
        var grouped = Net(6, ("conv", new Conv2d(6, 6, 1, groups: 2)), ("avgpool", new AdaptiveAvgPool2d(1)), ("flatten", new Flatten()));
        Assert.Null(IncrementalHead.TryCreate(grouped, "features.1", grouped.ForwardTo(TinyNets.Images(1), "features.1").Output));
    }
}
