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
/// </summary>
public static class ReluRules
{
    public static readonly IBackwardRule Guided = new GuidedRule();

    public static readonly IBackwardRule Deconvnet = new DeconvnetRule();

    public static Func<Node, IBackwardRule?> GuidedBackprop => node => node.Layer is ReLU ? Guided : null;

    public static Func<Node, IBackwardRule?> Deconvolution => node => node.Layer is ReLU ? Deconvnet : null;

    private sealed class GuidedRule : IBackwardRule
    {
        public Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput)
        {
            var g = Tensor.Uninitialized(gradOutput.ShapeArray);
            var x = inputs[0].Data;
            var go = gradOutput.Data;
            var gi = g.Data;
            for (int i = 0; i < gi.Length; i++) gi[i] = x[i] > 0 && go[i] > 0 ? go[i] : 0f;
            return [g];
        }
    }

    private sealed class DeconvnetRule : IBackwardRule
    {
        public Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput)
        {
            var g = Tensor.Uninitialized(gradOutput.ShapeArray);
            System.Numerics.Tensors.TensorPrimitives.Max(gradOutput.Data, 0f, g.Data);
            return [g];
        }
    }
}
