namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// A single-input layer whose output has its input's shape and can be computed in the input's buffer,
/// and whose input gradient can be computed in the output gradient's buffer. The graph's execution uses
/// this only for tensors nobody else can see any more (see <see cref="Graph.Execution"/>); the layer's
/// ordinary Forward/Backward stay the reference and the results are identical.
/// </summary>
internal interface IInPlaceLayer
{
    /// <summary>Overwrites <paramref name="x"/> with the layer's output.</summary>
    void ForwardInPlace(Tensor x);

    /// <summary>
    /// Overwrites <paramref name="gradOutput"/> with the input gradient, given the forward input and output;
    /// false (nothing written) when this layer cannot (e.g. parameter gradients are wanted).
    /// </summary>
    bool TryBackwardInPlace(Tensor input, Tensor output, Tensor gradOutput, bool parameterGradients);
}
