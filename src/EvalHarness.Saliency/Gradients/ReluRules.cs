using System.Numerics;
using System.Runtime.InteropServices;
using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Saliency.Gradients;

/// <summary>
/// Modified ReLU backward passes; every other layer keeps its gradient (as captum's GuidedBackprop and
/// Deconvolution, which override nn.ReLU only).
/// <list type="bullet">
/// <item>Guided backpropagation (Springenberg et al. 2015, eq. in Fig. 1): R_in = R_out · 1[x &gt; 0] · 1[R_out &gt; 0].</item>
/// <item>Deconvnet (Zeiler &amp; Fergus 2014, §2.1 "Rectification"): R_in = max(0, R_out), regardless of the forward input.</item>
/// </list>
/// Both keep nothing they are given (so the pass recycles its buffers) and write over the output gradient
/// when the pass allows it; large tensors are processed on both cores.
/// </summary>
public static class ReluRules
{
    public static readonly IBackwardRule Guided = new GuidedRule();

    public static readonly IBackwardRule Deconvnet = new DeconvnetRule();

    public static Func<Node, IBackwardRule?> GuidedBackprop => node => node.Layer is ReLU ? Guided : null;

    public static Func<Node, IBackwardRule?> Deconvolution => node => node.Layer is ReLU ? Deconvnet : null;

    private abstract class ReluRule : IInPlaceBackwardRule
    {
        public bool KeepsTensors => false;

        public Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput)
        {
            var g = Tensor.Uninitialized(gradOutput.ShapeArray);
            Apply(inputs[0], gradOutput, g);
            return [g];
        }

        public void BackwardInPlace(Node node, Tensor input, Tensor output, Tensor gradOutput) => Apply(input, gradOutput, gradOutput);

        private void Apply(Tensor input, Tensor gradOutput, Tensor gradInput)
        {
            if (input.Length != gradOutput.Length)
                throw new ShapeException($"ReLU rule at a node with input {input.ShapeString} got an output gradient of shape {gradOutput.ShapeString}.");
            var x = input.Data;
            var go = gradOutput.Data;
            var gi = gradInput.Data;
            ParallelElementwise.For(gi.Length, (start, count) => Kernel(x.AsSpan(start, count), go.AsSpan(start, count), gi.AsSpan(start, count)));
        }

        /// <summary>Writes the input gradient of one chunk (<paramref name="gi"/> may be <paramref name="go"/>).</summary>
        protected abstract void Kernel(ReadOnlySpan<float> x, ReadOnlySpan<float> go, Span<float> gi);
    }

    private sealed class GuidedRule : ReluRule
    {
        protected override void Kernel(ReadOnlySpan<float> x, ReadOnlySpan<float> go, Span<float> gi)
        {
            int i = 0;
            if (Vector.IsHardwareAccelerated && gi.Length >= Vector<float>.Count)
            {
                var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
                var vg = MemoryMarshal.Cast<float, Vector<float>>(go);
                var vo = MemoryMarshal.Cast<float, Vector<float>>(gi);
                for (int v = 0; v < vo.Length; v++)
                {
                    var g = vg[v];
                    var keep = Vector.GreaterThan(vx[v], Vector<float>.Zero) & Vector.GreaterThan(g, Vector<float>.Zero);
                    vo[v] = Vector.ConditionalSelect(keep, g, Vector<float>.Zero);
                }
                i = vo.Length * Vector<float>.Count;
            }
            for (; i < gi.Length; i++) gi[i] = x[i] > 0 && go[i] > 0 ? go[i] : 0f;
        }
    }

    private sealed class DeconvnetRule : ReluRule
    {
        protected override void Kernel(ReadOnlySpan<float> x, ReadOnlySpan<float> go, Span<float> gi) =>
            System.Numerics.Tensors.TensorPrimitives.Max(go, 0f, gi);
    }
}
