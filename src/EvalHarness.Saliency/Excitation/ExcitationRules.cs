using EvalHarness.Engine;
using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;
using EvalHarness.Saliency.Lrp;
using Tensor = EvalHarness.Engine.Tensor;

namespace EvalHarness.Saliency.Excitation;

/// <summary>
/// Excitation backprop's backward passes (Zhang et al. 2016, arXiv 1608.00507, eq. 7-8: marginal winning
/// probabilities), as TorchRay's ExcitationBackpropContext patches them:
/// <list type="bullet">
/// <item>convolution and linear: p' = x ⊙ W⁺ᵀ(p ⊘ (W⁺x + 1e-20)), bias ignored (the last affine layer may use −W, for the contrastive pass);</item>
/// <item>average pooling (AvgPool2d, AdaptiveAvgPool2d): p' = x ⊙ fᵀ(p ⊘ (f(x) + 1e-20));</item>
/// <item>residual Add: p'_k = x_k / (Σ x) · p;</item>
/// <item>batch norm: p passes unchanged;</item>
/// <item>ReLU, max pooling, flatten, dropout, identity, concatenation: their ordinary gradient.</item>
/// </list>
/// Any other layer is an error naming it.
/// </summary>
public sealed class ExcitationRules(int negatedNode = -1)
{
    private const float Tiny = 1e-20f;

    private readonly Dictionary<int, IBackwardRule?> _rules = [];

    public IBackwardRule? RuleFor(Node node)
    {
        if (_rules.TryGetValue(node.Index, out var rule)) return rule;
        rule = node.Layer switch
        {
            Conv2d or Linear => new Affine(AffineLayer.Of(node.Layer), node.Index == negatedNode),
            AvgPool2d or AdaptiveAvgPool2d => new Pool(),
            Add => new Sum(),
            BatchNorm2d => PassRule.Instance,
            ReLU or MaxPool2d or Flatten or Identity or Concat => null,
            _ => throw new EvalHarnessException($"Excitation backprop has no rule for layer '{node.Name}' ({node.Layer.Kind}); " +
                "supported: Conv2d, Linear, AvgPool2d, AdaptiveAvgPool2d, Add, BatchNorm2d, ReLU, MaxPool2d, Flatten, Dropout, Identity, Concat."),
        };
        _rules[node.Index] = rule;
        return rule;
    }

    /// <summary>Attaches a rule to every node now, so an unsupported layer fails before any forward pass.</summary>
    public void Validate(Graph graph)
    {
        foreach (var node in graph.Nodes) RuleFor(node);
    }

    private static Tensor Normalise(Tensor p, Tensor z)
    {
        var s = Tensor.Uninitialized(z.ShapeArray);
        for (int i = 0; i < s.Length; i++) s.Data[i] = p.Data[i] / (z.Data[i] + Tiny);
        return s;
    }

    private static Tensor Times(Tensor x, Tensor c)
    {
        System.Numerics.Tensors.TensorPrimitives.Multiply(c.Data, x.Data, c.Data);
        return c;
    }

    private sealed class Affine(AffineLayer layer, bool negate) : IBackwardRule
    {
        private Layer? _plus;

        public Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput)
        {
            _plus ??= negate ? layer.With(w => Math.Max(-w, 0f), null) : layer.With(w => Math.Max(w, 0f), null);
            var x = inputs[0];
            var s = Normalise(gradOutput, _plus.Forward([x]));                      // p ⊘ (W⁺x)
            return [Times(x, _plus.Backward([x], s, s, [true], false)[0]!)];       // x ⊙ W⁺ᵀ(·)
        }
    }

    private sealed class Pool : IBackwardRule
    {
        public Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput)
        {
            var s = Normalise(gradOutput, output);
            return [Times(inputs[0], node.Layer.Backward(inputs, output, s, needInput, false)[0]!)];
        }
    }

    private sealed class Sum : IBackwardRule
    {
        public Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput)
        {
            var result = new Tensor?[inputs.Count];
            for (int k = 0; k < inputs.Count; k++)
            {
                var r = Tensor.Uninitialized(gradOutput.ShapeArray);
                for (int i = 0; i < r.Length; i++) r.Data[i] = inputs[k].Data[i] / output.Data[i] * gradOutput.Data[i];
                result[k] = r;
            }
            return result;
        }
    }
}
