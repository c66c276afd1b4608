using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;

namespace EvalHarness.Saliency;

/// <summary>
/// The CAM pipeline (pytorch-grad-cam's base_cam order): capture A (and G) at the target layer,
/// let the variant supply channel weights α, L = ReLU(Σ_k α_k A_k), min-max normalise at the layer's
/// resolution, upsample bilinearly to the input size, min-max normalise again. A variant overrides
/// <see cref="ChannelWeights"/>, or <see cref="RawMap"/> when its map is not a weighted sum.
/// </summary>
public abstract class CamMethod : ISaliencyMethod
{
    public abstract MethodDescriptor Descriptor { get; }

    /// <summary>True when the variant reads G (one backward pass from the target logit to the layer).</summary>
    protected virtual bool UsesGradients => true;

    public SaliencyResult Explain(ExplainContext context, Tensor images, IReadOnlyList<int> targets)
    {
        string layer = context.RequireTargetLayer(Descriptor.Name);
        SaliencyChecks.CheckBatch(context, images, targets);
        using var forward = context.Graph.Forward(images, recordForBackward: UsesGradients, keep: [layer]);
        var activations = forward.Activation(layer);
        if (activations.Rank != 4)
            throw new EvalHarnessException($"{Descriptor.Name} needs a convolutional target layer (N×K×h×w output); '{layer}' gives {activations.ShapeString}.");
        Tensor? gradients = null;
        if (UsesGradients)
        {
            forward.BackwardFromClasses(targets, new BackwardOptions { StopAt = layer });
            gradients = forward.Gradient(layer) ?? new Tensor(activations.ShapeArray);
        }
        var inputs = new CamInputs
        {
            Context = context, Images = images, Targets = targets, Layer = layer,
            Forward = forward, Activations = activations, Gradients = gradients,
        };
        var weights = ChannelWeights(inputs);
        var raw = RawMap(inputs, weights);
        return new SaliencyResult
        {
            Maps = PostProcess(raw, images.H, images.W),
            RawMaps = raw,
            ChannelWeights = weights,
            ChannelContributions = weights is null ? null : Contributions(inputs, weights),
            Extras = inputs.Extras,
        };
    }

    /// <summary>α: N×K, or null when <see cref="RawMap"/> does not use weights.</summary>
    protected abstract Tensor? ChannelWeights(CamInputs inputs);

    /// <summary>The map before ReLU at the layer's resolution, N×h×w. Default: Σ_k α_k A_k.</summary>
    protected virtual Tensor RawMap(CamInputs inputs, Tensor? weights) =>
        MapOps.WeightedSum(inputs.Activations, weights ?? throw new InvalidOperationException($"{Descriptor.Name} returned no channel weights."));

    /// <summary>From the raw low-resolution map to the final H×W map in [0, 1]. Default: the pytorch-grad-cam order.</summary>
    protected virtual Tensor PostProcess(Tensor raw, int height, int width) => MapOps.CamToInputResolution(raw, height, width);

    /// <summary>Contribution of map k to the score implied by the weights: α_k·Σ_ij A_kij (LIFT-CAM §4).</summary>
    protected virtual Tensor? Contributions(CamInputs inputs, Tensor weights)
    {
        var phi = new Tensor(inputs.N, inputs.K);
        for (int n = 0; n < inputs.N; n++)
            for (int k = 0; k < inputs.K; k++)
                phi[n, k] = weights[n, k] * System.Numerics.Tensors.TensorPrimitives.Sum(inputs.A(n, k));
        return phi;
    }
}
