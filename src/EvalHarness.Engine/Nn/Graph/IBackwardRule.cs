namespace EvalHarness.Engine.Nn.Graph;

/// <summary>
/// Replaces a node's backward pass for one execution (LRP rules, DeepLIFT multipliers, guided
/// backprop). Receives what the layer's own backward receives and returns the input gradients.
/// </summary>
public interface IBackwardRule
{
    Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput);
}

public sealed class BackwardOptions
{
    /// <summary>Accumulate parameter gradients into <see cref="Parameter.Grad"/>.</summary>
    public bool ParameterGradients { get; init; }

    /// <summary>
    /// Stop once the gradient at this module's output is complete (nodes before it are not visited);
    /// null runs back to the input.
    /// </summary>
    public string? StopAt { get; init; }

    /// <summary>A rule per node, or null to use the layer's own backward.</summary>
    public Func<Node, IBackwardRule?>? Rules { get; init; }

    /// <summary>
    /// Modules whose output gradient stays available after the pass (<see cref="Execution.Gradient"/>);
    /// null keeps every one. The input gradient is always kept. Gradients not kept are released as soon as
    /// the pass has used them, which bounds its memory to the activations and the gradients in flight.
    /// </summary>
    public IReadOnlyCollection<string>? KeepGradients { get; init; }
}
