namespace EvalHarness.Engine.Nn.Graph;

/// <summary>
/// Replaces a node's backward pass for one execution (LRP rules, DeepLIFT multipliers, guided
/// backprop). Receives what the layer's own backward receives and returns the input gradients.
/// </summary>
public interface IBackwardRule
{
    Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput);

    /// <summary>
    /// True (the default) when the rule may hold on to a tensor it was given or returned after
    /// <see cref="Backward"/> returns (to record relevances, say): the pass then leaves the buffers of its
    /// activations and gradients to the GC. A stateless rule says false, and the pass recycles them as it does
    /// without rules.
    /// </summary>
    bool KeepsTensors => true;
}

/// <summary>
/// A rule for a single-input node that can write the input gradient over the output gradient. The pass
/// calls <see cref="BackwardInPlace"/> instead of <see cref="IBackwardRule.Backward"/> when nothing else
/// holds the output gradient (it is neither kept nor shared), as it does for ReLU's own backward.
/// </summary>
public interface IInPlaceBackwardRule : IBackwardRule
{
    /// <summary>Overwrites <paramref name="gradOutput"/> with the gradient at the node's single input.</summary>
    void BackwardInPlace(Node node, Tensor input, Tensor output, Tensor gradOutput);
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
