using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;

namespace EvalHarness.Models.Tests;

/// <summary>
/// A pass that does not record writes ReLU and batch-norm outputs over inputs nobody needs any more, and a
/// backward pass that keeps only some gradients computes those layers' gradients in place. Either must give
/// bit-identical results to the plain passes, on every architecture (residual sums share one gradient
/// between two branches, Fire modules read one activation twice, ResNet's ReLU module is called three times).
/// </summary>
public class InPlaceExecutionTests
{
    public static IEnumerable<object[]> Architectures() => ModelZoo.Architectures
        .Where(a => a is "resnet18" or "resnet50" or "squeezenet1_0" or "squeezenet1_1" or "vgg11_bn" or "mobilenet_v2" or "alexnet")
        .Select(a => new object[] { a });

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Released_and_reused_buffers_give_the_same_values(string arch)
    {
        var graph = ModelZoo.Create(arch, numClasses: 10);
        DeterministicInit.Apply(graph, 3);
        int size = arch == "alexnet" ? 64 : 48;
        var x = DeterministicInit.Create("input", [2, 3, size, size], 5);
        var before = (float[])x.Data.Clone();

        var recorded = graph.Forward(x);
        var plain = graph.Forward(x, recordForBackward: false);
        Assert.Equal(recorded.Output.Data, plain.Output.Data);
        Assert.Equal(before, x.Data); // the caller's input is never written

        // A tap asked for is kept intact even where its consumer could have overwritten it.
        string tap = graph.Nodes.First(n => n.Layer is Engine.Nn.Layers.Conv2d).Name;
        var tapped = graph.Forward(x, recordForBackward: false, keep: [tap]);
        Assert.Equal(recorded.Activation(tap).Data, tapped.Activation(tap).Data);

        var targets = new[] { 1, 7 };
        recorded.BackwardFromClasses(targets);
        var lean = graph.Forward(x);
        lean.BackwardFromClasses(targets, new BackwardOptions { KeepGradients = [tap] });
        Assert.Equal(recorded.InputGradient!.Data, lean.InputGradient!.Data);
        Assert.Equal(recorded.Gradient(tap)!.Data, lean.Gradient(tap)!.Data);
        Assert.Null(lean.Gradient(graph.Nodes[^2].Name)); // released
        Assert.Equal(before, x.Data);
    }

    /// <summary>
    /// Rules that hand on the very tensor they receive (LRP's pass rule) or return an activation make a
    /// gradient alias another gradient or an activation; an in-place layer below must then leave it alone.
    /// Every node whose gradient is kept, and every activation, must come out as in a pass that keeps all.
    /// </summary>
    [Theory]
    [MemberData(nameof(Architectures))]
    public void Aliased_gradients_and_activations_are_never_overwritten(string arch)
    {
        var graph = ModelZoo.Create(arch, numClasses: 10);
        DeterministicInit.Apply(graph, 4);
        int size = arch == "alexnet" ? 64 : 48;
        var x = DeterministicInit.Create("input", [2, 3, size, size], 6);
        // Pass-through at every node that is neither ReLU nor batch norm, so that their gradients alias their
        // inputs' gradients; the node feeding a ReLU/BN hands on an activation as its input "gradient".
        var feedsInPlace = new HashSet<int>(graph.Nodes
            .Where(n => n.Layer is Engine.Nn.Layers.ReLU or Engine.Nn.Layers.BatchNorm2d && n.Inputs.Count == 1 && n.Inputs[0] >= 0)
            .Select(n => n.Inputs[0]));
        var activationRule = new ActivationRule();
        Func<Node, IBackwardRule?> rules = n =>
            n.Layer is Engine.Nn.Layers.ReLU or Engine.Nn.Layers.BatchNorm2d ? null
            : n.Index % 3 == 0 && n.Inputs.Count == 1 && n.Inputs[0] >= 0 && feedsInPlace.Contains(n.Inputs[0]) && n.Index != graph.Nodes.Count - 1
                ? activationRule
                : n.Inputs.Count == 1 && n.Index % 2 == 0 ? new ReshapingPassRule() : null;
        var reference = graph.Forward(x);
        reference.BackwardFromClasses([2, 5], new BackwardOptions { Rules = rules });
        var keepEvery = graph.Nodes.Where(n => n.Index % 5 == 0).Select(n => n.Name).ToList();
        var lean = graph.Forward(x);
        var activations = graph.Nodes.Select(n => (float[])lean.NodeOutput(n.Index)!.Data.Clone()).ToList();
        lean.BackwardFromClasses([2, 5], new BackwardOptions { Rules = rules, KeepGradients = keepEvery });
        Assert.Equal(reference.InputGradient!.Data, lean.InputGradient!.Data);
        foreach (var name in keepEvery)
            Assert.Equal(reference.Gradient(name)?.Data, lean.Gradient(name)?.Data);
        for (int i = 0; i < graph.Nodes.Count; i++) Assert.Equal(activations[i], lean.NodeOutput(i)!.Data);
    }

    /// <summary>Returns the gradient it receives, reshaped to the input (a view of the same buffer) when sizes agree.</summary>
    private sealed class ReshapingPassRule : IBackwardRule
    {
        public Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput) =>
            inputs[0].Length == gradOutput.Length ? [gradOutput.Reshape(inputs[0].ShapeArray)] : node.Layer.Backward(inputs, output, gradOutput, needInput, false);
    }

    /// <summary>Returns the node's input activation itself as the input gradient.</summary>
    private sealed class ActivationRule : IBackwardRule
    {
        public Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput) =>
            [inputs[0]];
    }
}
