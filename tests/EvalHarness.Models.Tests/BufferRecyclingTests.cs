using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;

namespace EvalHarness.Models.Tests;

/// <summary>
/// Passes give their buffers back to <see cref="TensorBuffers"/> (released on the way, and on Dispose): the next
/// pass computes in recycled buffers with stale contents and must give bit-identical values, and no tensor that
/// a pass handed out (output, activation, gradient) is ever written by a later pass. Inputs are 112×112 so that
/// the early layers' tensors are large enough to be pooled.
/// </summary>
[Collection(nameof(BufferRecyclingState))]
public sealed class BufferRecyclingTests
{
    public static IEnumerable<object[]> Architectures() =>
        new[] { "resnet18", "squeezenet1_0", "vgg11_bn" }.Select(a => new object[] { a });

    [SkippableTheory]
    [MemberData(nameof(Architectures))]
    public void Recycled_buffers_give_the_same_values_and_never_touch_what_was_handed_out(string arch)
    {
        Skip.IfNot(TensorBuffers.Enabled, "EVALHARNESS_TENSOR_POOL=0 turns recycling off");
        var graph = ModelZoo.Create(arch, numClasses: 10);
        DeterministicInit.Apply(graph, 7);
        var x1 = DeterministicInit.Create("input", [2, 3, 112, 112], 1);
        var x2 = DeterministicInit.Create("input", [2, 3, 112, 112], 2);
        string tap = graph.Nodes.First(n => n.Layer is Engine.Nn.Layers.Conv2d).Name;
        int[] targets = [1, 7];
        TensorBuffers.Trim();

        // Pass A: what it hands out must survive everything below.
        Tensor outA, actA, gradA;
        using (var a = graph.Forward(x1, keep: [tap]))
        {
            outA = a.Output;
            actA = a.Activation(tap);
            a.BackwardFromClasses(targets, new BackwardOptions { KeepGradients = [] });
            gradA = a.InputGradient!;
        }
        Assert.True(TensorBuffers.FreeFloats > 0, "the pass gave nothing back; the test would prove nothing");
        var (outSnap, actSnap, gradSnap) = ((float[])outA.Data.Clone(), (float[])actA.Data.Clone(), (float[])gradA.Data.Clone());

        // Passes B: other inputs, recording and not, disposed and not, in recycled buffers.
        for (int i = 0; i < 3; i++)
        {
            using (var b = graph.Forward(x2))
                b.BackwardFromClasses(targets, new BackwardOptions { KeepGradients = [] });
            _ = graph.Forward(i % 2 == 0 ? x2 : x1, recordForBackward: false).Output;
        }
        Assert.Equal(outSnap, outA.Data);
        Assert.Equal(actSnap, actA.Data);
        Assert.Equal(gradSnap, gradA.Data);

        // Pass C: x1 again in recycled buffers gives the same bits as pass A.
        using (var c = graph.Forward(x1, keep: [tap]))
        {
            Assert.Equal(outSnap, c.Output.Data);
            Assert.Equal(actSnap, c.Activation(tap).Data);
            c.BackwardFromClasses(targets, new BackwardOptions { KeepGradients = [] });
            Assert.Equal(gradSnap, c.InputGradient!.Data);
        }
        var plain = graph.Forward(x1, recordForBackward: false);
        Assert.Equal(outSnap, plain.Output.Data);
        TensorBuffers.Trim();
    }

    [SkippableFact]
    public void A_pass_with_a_rule_that_may_keep_tensors_gives_nothing_back_and_its_tensors_stay_intact()
    {
        var (graph, x) = Resnet18WithEmptyPool();
        var keeper = new KeepingRule();
        using (var run = graph.Forward(x))
            run.BackwardFromClasses([1, 2], new BackwardOptions { KeepGradients = [], Rules = n => n.Layer is Engine.Nn.Layers.ReLU ? keeper : null });
        Assert.Equal(0, TensorBuffers.FreeFloats);
        Assert.NotEmpty(keeper.Seen);
        var snapshots = keeper.Seen.Select(t => (float[])t.Data.Clone()).ToList();
        using (var again = graph.Forward(DeterministicInit.Create("input", [2, 3, 112, 112], 2)))
            again.BackwardFromClasses([3, 4], new BackwardOptions { KeepGradients = [] });
        for (int i = 0; i < snapshots.Count; i++) Assert.Equal(snapshots[i], keeper.Seen[i].Data);
        TensorBuffers.Trim();
    }

    [SkippableFact]
    public void A_stateless_in_place_rule_recycles_and_gives_the_same_bits_as_an_allocating_rule()
    {
        var (graph, x) = Resnet18WithEmptyPool();
        float[] Run(IBackwardRule rule)
        {
            using var run = graph.Forward(x);
            run.BackwardFromClasses([1, 2], new BackwardOptions { KeepGradients = [], Rules = n => n.Layer is Engine.Nn.Layers.ReLU ? rule : null });
            return run.InputGradient!.Data;
        }
        var reference = Run(new KeepingRule());
        Assert.Equal(0, TensorBuffers.FreeFloats);
        var inPlace = new InPlaceGuidedRule();
        var first = (float[])Run(inPlace).Clone();
        Assert.True(inPlace.InPlaceCalls > 0, "the pass never let the rule write in place");
        Assert.True(TensorBuffers.FreeFloats > 0, "a stateless rule's pass gave nothing back");
        var second = Run(inPlace); // in recycled buffers with stale contents
        Assert.Equal(reference, first);
        Assert.Equal(reference, second);
        TensorBuffers.Trim();
    }

    private static (Engine.Nn.Graph.Graph Graph, Tensor Input) Resnet18WithEmptyPool()
    {
        Skip.IfNot(TensorBuffers.Enabled, "EVALHARNESS_TENSOR_POOL=0 turns recycling off");
        var graph = ModelZoo.Create("resnet18", numClasses: 10);
        DeterministicInit.Apply(graph, 7);
        TensorBuffers.Trim();
        return (graph, DeterministicInit.Create("input", [2, 3, 112, 112], 1));
    }

    /// <summary>Guided-backprop ReLU rule that keeps every tensor it sees (the default KeepsTensors = true).</summary>
    private sealed class KeepingRule : IBackwardRule
    {
        public List<Tensor> Seen { get; } = [];

        public Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput)
        {
            var g = new Tensor(gradOutput.ShapeArray);
            for (int i = 0; i < g.Length; i++) g.Data[i] = inputs[0].Data[i] > 0 && gradOutput.Data[i] > 0 ? gradOutput.Data[i] : 0f;
            Seen.Add(inputs[0]);
            Seen.Add(gradOutput);
            Seen.Add(g);
            return [g];
        }
    }

    /// <summary>The same rule, stateless and able to write over the output gradient.</summary>
    private sealed class InPlaceGuidedRule : IInPlaceBackwardRule
    {
        public int InPlaceCalls { get; private set; }

        public bool KeepsTensors => false;

        public Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput)
        {
            var g = Tensor.Uninitialized(gradOutput.ShapeArray);
            for (int i = 0; i < g.Length; i++) g.Data[i] = inputs[0].Data[i] > 0 && gradOutput.Data[i] > 0 ? gradOutput.Data[i] : 0f;
            return [g];
        }

        public void BackwardInPlace(Node node, Tensor input, Tensor output, Tensor gradOutput)
        {
            InPlaceCalls++;
            for (int i = 0; i < gradOutput.Length; i++) gradOutput.Data[i] = input.Data[i] > 0 && gradOutput.Data[i] > 0 ? gradOutput.Data[i] : 0f;
        }
    }
}

[CollectionDefinition(nameof(BufferRecyclingState), DisableParallelization = true)]
public sealed class BufferRecyclingState;
