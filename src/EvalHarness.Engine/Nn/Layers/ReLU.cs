using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>max(0, x). The gradient at 0 is 0, as in PyTorch. Large tensors are processed in parallel chunks.</summary>
public sealed class ReLU : ShapePreservingLayer, IInPlaceLayer
{
    public override string Kind => "ReLU";

    public override Tensor Forward(IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var y = Tensor.Uninitialized(OutputShape([x.ShapeArray]));
        LayerParallel.ForChunks(x.Length, (start, count) =>
        {
            TensorPrimitives.Max(x.Data.AsSpan(start, count), 0f, y.Data.AsSpan(start, count));
        });
        return y;
    }

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
    {
        LayerChecks.GradientMatchesOutput(this, output, gradOutput);
        var g = Tensor.Uninitialized(gradOutput.ShapeArray);
        LayerParallel.ForChunks(g.Length, (start, count) =>
        {
            Mask(output.Data.AsSpan(start, count), gradOutput.Data.AsSpan(start, count), g.Data.AsSpan(start, count));
        });
        return [g];
    }

    void IInPlaceLayer.ForwardInPlace(Tensor x)
    {
        LayerParallel.ForChunks(x.Length, (start, count) =>
        {
            var span = x.Data.AsSpan(start, count);
            TensorPrimitives.Max(span, 0f, span);
        });
    }

    bool IInPlaceLayer.TryBackwardInPlace(Tensor input, Tensor output, Tensor gradOutput, bool parameterGradients)
    {
        LayerChecks.GradientMatchesOutput(this, output, gradOutput);
        LayerParallel.ForChunks(gradOutput.Length, (start, count) =>
        {
            var g = gradOutput.Data.AsSpan(start, count);
            Mask(output.Data.AsSpan(start, count), g, g);
        });
        return true;
    }

    /// <summary>gi = y &gt; 0 ? go : 0 (gi may be go).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Mask(ReadOnlySpan<float> y, ReadOnlySpan<float> go, Span<float> gi)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            ref float ry = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(y);
            ref float rg = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(go);
            ref float ri = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(gi);
            for (; i + 16 <= gi.Length; i += 16)
            {
                var positive = Vector512.GreaterThan(Vector512.LoadUnsafe(ref ry, (nuint)i), Vector512<float>.Zero);
                (Vector512.LoadUnsafe(ref rg, (nuint)i) & positive).StoreUnsafe(ref ri, (nuint)i);
            }
        }
        for (; i < gi.Length; i++) gi[i] = y[i] > 0 ? go[i] : 0f;
    }
}
