using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;

namespace EvalHarness.Saliency;

/// <summary>What a CAM variant sees: the batch, its targets, and A (and G = ∂y^c/∂A when requested) at the target layer.</summary>
public sealed class CamInputs
{
    public required ExplainContext Context { get; init; }

    public required Tensor Images { get; init; }

    public required IReadOnlyList<int> Targets { get; init; }

    public required string Layer { get; init; }

    /// <summary>The forward pass (whole network) that produced <see cref="Activations"/>.</summary>
    public required Execution Forward { get; init; }

    /// <summary>A: N×K×h×w activations of the target layer.</summary>
    public required Tensor Activations { get; init; }

    /// <summary>G: N×K×h×w gradients of the target logit at the target layer, or null when not requested.</summary>
    public Tensor? Gradients { get; init; }

    /// <summary>Further outputs a variant reports (copied into <see cref="SaliencyResult.Extras"/>).</summary>
    public Dictionary<string, Tensor> Extras { get; } = new(StringComparer.Ordinal);

    public Tensor RequireGradients() =>
        Gradients ?? throw new InvalidOperationException("This CAM variant reads gradients; it must declare UsesGradients.");

    public int N => Activations.N;

    public int K => Activations.C;

    public int Hw => Activations.H * Activations.W;

    /// <summary>The h·w values of map k of image n.</summary>
    public ReadOnlySpan<float> A(int n, int k) => Activations.Data.AsSpan((n * K + k) * Hw, Hw);

    public ReadOnlySpan<float> G(int n, int k) => RequireGradients().Data.AsSpan((n * K + k) * Hw, Hw);
}
