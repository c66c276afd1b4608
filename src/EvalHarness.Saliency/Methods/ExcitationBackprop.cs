using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;
using EvalHarness.Saliency.Excitation;
using EvalHarness.Saliency.Lrp;
using Tensor = EvalHarness.Engine.Tensor;

namespace EvalHarness.Saliency.Methods;

/// <summary>
/// Excitation backprop and contrastive excitation backprop (Zhang et al. 2016, arXiv 1608.00507, §3.2-3.3),
/// following TorchRay. The marginal winning probabilities (<see cref="ExcitationRules"/>, seeded with the
/// one-hot target) are read at the saliency layer (the context's target layer, or the <c>layer</c>
/// parameter; "input" for the network input): map = Σ_c P (excitationbackprop) or max(0, Σ_c P)
/// (contrastive-eb), upsampled bilinearly to the input size and divided by its maximum.
/// Contrastive: a first pass with the last convolution/linear layer's weights negated gives the dual's
/// probabilities P̄ at the contrast layer (default: the input of the last affine layer, skipping dropout
/// and flatten — TorchRay's relu7 for VGG, avgpool for ResNet); the second pass subtracts P̄ there and
/// continues down to the saliency layer.
/// </summary>
public sealed class ExcitationBackprop : ISaliencyMethod, IChecksModel
{
    private readonly string _layer, _contrastLayer;

    public ExcitationBackprop(bool contrastive, string layer = "", string contrastLayer = "")
    {
        Contrastive = contrastive;
        _layer = layer.Trim();
        _contrastLayer = contrastLayer.Trim();
        Descriptor = new(contrastive ? "contrastive-eb" : "excitationbackprop", 1, "relevance", _layer.Length == 0,
            $"Zhang et al. 2016 (arXiv 1608.00507), §3.2{(contrastive ? "-3.3 (contrastive)" : "")}; TorchRay excitation_backprop");
    }

    public bool Contrastive { get; }

    public MethodDescriptor Descriptor { get; }

    public SaliencyResult Explain(ExplainContext context, Tensor images, IReadOnlyList<int> targets)
    {
        SaliencyChecks.CheckBatch(context, images, targets);
        var graph = context.Graph;
        string layer = _layer.Length > 0 ? _layer : context.RequireTargetLayer(Descriptor.Name);
        bool atInput = layer.Equals("input", StringComparison.OrdinalIgnoreCase);
        int saliencyIndex = atInput ? -1 : graph.IndexOf(layer);
        var rules = new ExcitationRules();
        rules.Validate(graph);
        string? contrast = null;
        ExcitationRules? dualRules = null;
        if (Contrastive)
        {
            (contrast, int lastAffine) = ContrastLayer(graph, layer, saliencyIndex);
            dualRules = new ExcitationRules(negatedNode: lastAffine);
        }

        Tensor? maps = null;
        int batch = Math.Max(1, context.BatchSize);
        for (int start = 0; start < images.N; start += batch)
        {
            int len = Math.Min(batch, images.N - start);
            var run = graph.Forward(images.SliceBatch(start, len), recordForBackward: true);
            var seed = OneHot(run.Output, targets, start, len);
            Func<Node, IBackwardRule?> ruleFor = rules.RuleFor;
            if (Contrastive)
            {
                run.Backward(seed, new BackwardOptions { Rules = dualRules!.RuleFor, StopAt = contrast });
                var dual = run.Gradient(contrast!) ?? new Tensor(run.Activation(contrast!).ShapeArray); // P̄ at the contrast layer
                int contrastIndex = graph.IndexOf(contrast!);
                ruleFor = node => node.Index == contrastIndex ? new SubtractFirst(dual, rules.RuleFor(node)) : rules.RuleFor(node);
            }
            run.Backward(seed, new BackwardOptions { Rules = ruleFor, StopAt = atInput ? null : layer });
            var p = (atInput ? run.InputGradient : run.Gradient(layer)) ?? new Tensor((atInput ? run.Input : run.Activation(layer)).ShapeArray);
            if (p.Rank != 4) throw new EvalHarnessException($"{Descriptor.Name} needs a convolutional saliency layer (N×C×h×w); '{layer}' gives {p.ShapeString}.");
            var low = new Tensor(len, p.H, p.W);
            int plane = p.H * p.W;
            for (int n = 0; n < len; n++)
            {
                var dst = low.Sample(n);
                for (int c = 0; c < p.C; c++)
                    System.Numerics.Tensors.TensorPrimitives.Add(dst, p.Data.AsSpan((n * p.C + c) * plane, plane), dst); // Σ_c P
                if (Contrastive) System.Numerics.Tensors.TensorPrimitives.Max(dst, 0f, dst);
            }
            maps ??= new Tensor(images.N, p.H, p.W);
            low.Data.AsSpan().CopyTo(maps.Data.AsSpan(start * plane, len * plane));
        }
        var raw = maps!;
        var up = raw.Dim(1) == images.H && raw.Dim(2) == images.W ? raw.Clone() : MapOps.ResizeBilinear(raw, images.H, images.W);
        MapOps.ReluInPlace(up); // bilinear weights are non-negative; this only guards against −0 and rounding below zero
        return new SaliencyResult { Maps = Gradients.AttributionMaps.NormalizeByMax(up), RawMaps = raw };
    }

    public void CheckModel(Graph graph, string? layer)
    {
        layer = _layer.Length > 0 ? _layer : layer;
        if (!Contrastive || layer is null) return;
        ContrastLayer(graph, layer, layer.Equals("input", StringComparison.OrdinalIgnoreCase) ? -1 : graph.IndexOf(layer));
    }

    /// <summary>The contrast layer (given, or the default) and the last affine layer's index; refuses a contrast layer not strictly between the saliency layer and the last affine layer.</summary>
    private (string Contrast, int LastAffine) ContrastLayer(Graph graph, string layer, int saliencyIndex)
    {
        int lastAffine = graph.Nodes.LastOrDefault(n => AffineLayer.IsAffine(n.Layer))?.Index
            ?? throw new EvalHarnessException("Contrastive excitation backprop needs a network with a convolution or linear layer.");
        string contrast = _contrastLayer.Length > 0 ? _contrastLayer : DefaultContrastLayer(graph, lastAffine);
        int contrastIndex = graph.IndexOf(contrast);
        if (contrastIndex <= saliencyIndex || contrastIndex >= lastAffine)
            throw new EvalHarnessException($"Contrastive excitation backprop: the contrast layer '{contrast}' must lie after the saliency layer '{layer}' " +
                $"and before the last classifier layer '{graph.Nodes[lastAffine].Name}'; give an earlier saliency layer (layer:) or a contrast layer (params: {{contrast_layer: ...}}).");
        return (contrast, lastAffine);
    }

    /// <summary>The input of the last affine layer, skipping dropout, identity and flatten.</summary>
    private static string DefaultContrastLayer(Graph graph, int lastAffine)
    {
        int i = graph.Nodes[lastAffine].Inputs[0];
        while (i >= 0 && graph.Nodes[i].Layer is Identity or Flatten) i = graph.Nodes[i].Inputs[0];
        if (i < 0) throw new EvalHarnessException("Contrastive excitation backprop: the last classifier layer reads the network input; give a contrast layer.");
        return graph.Nodes[i].Name;
    }

    private static Tensor OneHot(Tensor logits, IReadOnlyList<int> targets, int start, int len)
    {
        if (logits.Rank != 2) throw new ShapeException($"Excitation backprop needs class scores (N×classes); the network gives {logits.ShapeString}.");
        var seed = new Tensor(logits.ShapeArray);
        for (int n = 0; n < len; n++)
        {
            int c = targets[start + n];
            if ((uint)c >= (uint)logits.Dim(1)) throw new ArgumentOutOfRangeException(nameof(targets), $"Target class {c} is outside 0..{logits.Dim(1) - 1}.");
            seed[n, c] = 1f;
        }
        return seed;
    }

    /// <summary>TorchRay's contrast injection: the pseudo-gradient at the contrast layer's output minus the dual's, then the node's own rule.</summary>
    private sealed class SubtractFirst(Tensor dual, IBackwardRule? inner) : IBackwardRule
    {
        public Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput)
        {
            var delta = Tensor.Uninitialized(gradOutput.ShapeArray);
            System.Numerics.Tensors.TensorPrimitives.Subtract(gradOutput.Data, dual.Data, delta.Data);
            return inner != null
                ? inner.Backward(node, inputs, output, delta, needInput)
                : node.Layer.Backward(inputs, output, delta, needInput, parameterGradients: false);
        }
    }
}
