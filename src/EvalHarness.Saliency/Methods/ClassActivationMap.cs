using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Saliency.Methods;

/// <summary>
/// CAM (Zhou et al. 2016, eq. 2): α_k = w_{c,k}, the weight of the linear (or 1×1 convolutional)
/// classifier that directly follows global average pooling of the target layer. Any other head is refused.
/// </summary>
public sealed class ClassActivationMap : CamMethod, IChecksModel
{
    public override MethodDescriptor Descriptor { get; } =
        new("cam", 1, "cam", true, "Zhou et al. 2016, eq. 2");

    protected override bool UsesGradients => false;

    protected override Tensor ChannelWeights(CamInputs c)
    {
        var classifier = FindClassifier(c.Context.Graph, c.Layer);
        var alpha = new Tensor(c.N, c.K);
        for (int n = 0; n < c.N; n++)
            for (int k = 0; k < c.K; k++)
                alpha[n, k] = classifier[c.Targets[n], k];
        return alpha;
    }

    /// <summary>GAP averages over h·w, so map k contributes w_{c,k}·mean(A_k) = α_k·Σ_ij A_kij / (h·w) to the logit.</summary>
    protected override Tensor? Contributions(CamInputs inputs, Tensor weights)
    {
        var phi = base.Contributions(inputs, weights)!;
        System.Numerics.Tensors.TensorPrimitives.Divide(phi.Data, inputs.Hw, phi.Data);
        return phi;
    }

    public void CheckModel(Graph graph, string? layer)
    {
        if (layer is not null) FindClassifier(graph, layer);
    }

    /// <summary>The classes×K weight matrix of the GAP+linear head after <paramref name="layer"/>, or a clear refusal.</summary>
    public static Tensor FindClassifier(Graph graph, string layer)
    {
        int start = graph.IndexOf(layer);
        bool pooled = false;
        for (int j = start + 1; j < graph.Nodes.Count; j++)
        {
            var node = graph.Nodes[j];
            if (node.Inputs.Count != 1 || node.Inputs[0] != j - 1) break;
            switch (node.Layer)
            {
                case AdaptiveAvgPool2d { IsGlobal: true } when !pooled:
                    pooled = true;
                    continue;
                case Flatten or Dropout or Identity:
                    continue;
                case Linear linear when pooled && j == graph.Nodes.Count - 1:
                    return linear.Weight.Value;
                case Conv2d { KernelSize: (1, 1), Groups: 1 } conv when !pooled && IsConvThenGap(graph, j):
                    return conv.Weight.Value.Reshape(conv.OutChannels, conv.InChannels);
            }
            break;
        }
        throw new EvalHarnessException(
            $"CAM needs a head of global average pooling followed by a linear classifier after '{layer}'; this model's head is " +
            string.Join(" → ", graph.Nodes.Skip(start + 1).Take(6).Select(n => n.Layer.Kind)) +
            ". Use a gradient-based variant such as gradcam instead.");
    }

    private static bool IsConvThenGap(Graph graph, int conv)
    {
        for (int j = conv + 1; j < graph.Nodes.Count; j++)
        {
            switch (graph.Nodes[j].Layer)
            {
                case AdaptiveAvgPool2d { IsGlobal: true }:
                    return graph.Nodes.Skip(j + 1).All(n => n.Layer is Flatten or Identity);
                case Flatten or Dropout or Identity:
                    continue;
                default:
                    return false;
            }
        }
        return false;
    }
}
