using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Saliency.DeepLift;

/// <summary>
/// DeepLIFT multipliers (Shrikumar et al. 2017) as captum's DeepLift computes them: the Rescale rule
/// for ReLU and captum's rule for MaxPool2d; linear layers (convolution, linear, pooling by averages,
/// batch norm in inference, flatten, dropout) keep their gradient, which is their exact multiplier.
/// The reference activations come from a second pass of the same network on the reference input.
/// </summary>
public sealed class DeepLiftRules
{
    /// <summary>captum's threshold below which Δin counts as zero and the plain gradient is used.</summary>
    public const float Eps = 1e-10f;

    private readonly Execution _reference;
    private readonly int _first;

    /// <param name="reference">A recorded pass of the same graph range on the reference input.</param>
    /// <param name="firstNode">Rules apply to nodes after this index (e.g. the target layer of LIFT-CAM).</param>
    public DeepLiftRules(Execution reference, int firstNode)
    {
        _reference = reference;
        _first = firstNode;
    }

    public IBackwardRule? RuleFor(Node node) =>
        node.Index <= _first ? null : node.Layer switch
        {
            ReLU => new Rescale(_reference),
            MaxPool2d => new MaxPool(_reference),
            Conv2d or Linear or AdaptiveAvgPool2d or AvgPool2d or BatchNorm2d or Flatten or Identity or Add or Concat => null,
            _ => throw new EvalHarnessException($"DeepLIFT has no rule for layer '{node.Name}' ({node.Layer.Kind}); supported: ReLU, MaxPool2d and linear layers."),
        };

    /// <summary>Rescale rule: m = Δy/Δx where |Δx| ≥ eps, else the gradient (captum's nonlinear()).</summary>
    private sealed class Rescale(Execution reference) : IBackwardRule
    {
        public Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput)
        {
            var x = inputs[0].Data;
            var y = output.Data;
            var xr = reference.NodeOutput(node.Inputs[0])!.Data;
            var yr = reference.NodeOutput(node.Index)!.Data;
            var g = gradOutput.Data;
            var result = Tensor.Uninitialized(inputs[0].ShapeArray);
            var m = result.Data;
            for (int i = 0; i < m.Length; i++)
            {
                float dx = x[i] - xr[i];
                m[i] = Math.Abs(dx) < Eps ? (x[i] > 0 ? g[i] : 0f) : g[i] * (y[i] - yr[i]) / dx;
            }
            return [result];
        }
    }

    /// <summary>
    /// captum's maxpool(): Δout is taken against the cross maximum max(y, y_ref); the product with the
    /// output multiplier is routed to the argmax positions of the actual input and divided by Δin
    /// (the plain gradient where |Δin| &lt; eps). captum adds a second term routed through the reference's
    /// argmax, weighted by y − max(y, y_ref); it vanishes when y ≥ y_ref everywhere (pooling non-negative
    /// maps against a zero reference, the LIFT-CAM setting). Where it would not vanish this rule refuses.
    /// </summary>
    private sealed class MaxPool(Execution reference) : IBackwardRule
    {
        public Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput)
        {
            var yr = reference.NodeOutput(node.Index)!.Data;
            var y = output.Data;
            var xr = reference.NodeOutput(node.Inputs[0])!.Data;
            var x = inputs[0].Data;
            var scaled = Tensor.Uninitialized(gradOutput.ShapeArray);
            for (int i = 0; i < y.Length; i++)
            {
                if (y[i] < yr[i])
                    throw new EvalHarnessException($"DeepLIFT max-pool rule at '{node.Name}': the pooled input falls below the reference's; " +
                        "this case (captum's reference-routed term) is not supported. Use a reference below the activations, e.g. zeros after a ReLU.");
                scaled.Data[i] = gradOutput.Data[i] * (y[i] - yr[i]);
            }
            // Route g·Δout to the argmax positions exactly as the layer's own backward routes a gradient.
            var routed = node.Layer.Backward(inputs, output, scaled, needInput, parameterGradients: false)[0]!;
            var plain = node.Layer.Backward(inputs, output, gradOutput, needInput, parameterGradients: false)[0]!;
            var m = routed.Data;
            for (int i = 0; i < m.Length; i++)
            {
                float dx = x[i] - xr[i];
                m[i] = Math.Abs(dx) < Eps ? plain.Data[i] : m[i] / dx;
            }
            return [routed];
        }
    }
}
