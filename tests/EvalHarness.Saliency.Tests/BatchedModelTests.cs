using EvalHarness.Engine;
using EvalHarness.Models;

namespace EvalHarness.Saliency.Tests;

/// <summary>
/// <see cref="BatchedModel"/> gives every chunk's buffers back to <see cref="TensorBuffers"/>: a later call computes
/// in recycled buffers with stale contents and must give the same bits, and the result it returned earlier must
/// never be written by a later call.
/// </summary>
[Collection(nameof(BatchedModelPoolState))]
public sealed class BatchedModelTests
{
    [SkippableFact]
    public void Recycled_chunks_give_the_same_outputs_and_leave_earlier_results_alone()
    {
        Skip.IfNot(TensorBuffers.Enabled, "EVALHARNESS_TENSOR_POOL=0 turns recycling off");
        var graph = ModelZoo.Create("resnet18", numClasses: 10);
        DeterministicInit.Apply(graph, 3);
        var context = new ExplainContext { Graph = graph, TargetLayer = "layer4", BatchSize = 4 };
        var x = DeterministicInit.Create("input", [1, 3, 112, 112], 1);
        int[] item = [3, 112, 112];
        // Variant i: x scaled by (i + 1)/10; 10 variants in chunks of 4, 4 and 2.
        void Fill(int i, Span<float> dst, float offset)
        {
            x.Data.CopyTo(dst);
            System.Numerics.Tensors.TensorPrimitives.Multiply(dst, (i + 1) / 10f + offset, dst);
        }
        TensorBuffers.Trim();
        var first = BatchedModel.Run(context, 10, item, (i, dst) => Fill(i, dst, 0));
        Assert.True(TensorBuffers.FreeFloats > 0, "the call gave nothing back; the test would prove nothing");
        var snapshot = (float[])first.Data.Clone();
        var other = BatchedModel.Run(context, 10, item, (i, dst) => Fill(i, dst, 0.37f));
        var again = BatchedModel.Run(context, 10, item, (i, dst) => Fill(i, dst, 0));
        Assert.Equal(snapshot, first.Data);
        Assert.Equal(snapshot, again.Data);
        Assert.NotEqual(snapshot, other.Data);
        // Each row equals a pass of its own.
        for (int i = 0; i < 10; i += 3)
        {
            var single = new Tensor([1, .. item]);
            Fill(i, single.Data, 0);
            var expected = graph.Forward(single, recordForBackward: false).Output.Data;
            for (int k = 0; k < expected.Length; k++)
                Assert.True(Math.Abs(expected[k] - first.Data[i * 10 + k]) <= 1e-4f * (1 + Math.Abs(expected[k])), $"variant {i}, class {k}");
        }
        TensorBuffers.Trim();
    }
}

[CollectionDefinition(nameof(BatchedModelPoolState), DisableParallelization = true)]
public sealed class BatchedModelPoolState;
