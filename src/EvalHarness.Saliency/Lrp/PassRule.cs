using EvalHarness.Engine.Nn.Graph;
using Tensor = EvalHarness.Engine.Tensor;

namespace EvalHarness.Saliency.Lrp;

/// <summary>
/// Relevance passes unchanged (zennit Pass): for elementwise activations (ReLU: wherever the output is 0,
/// the layer above gives no relevance anyway) and for a batch norm folded into the convolution before it.
/// </summary>
public sealed class PassRule : LrpRule
{
    public static readonly PassRule Instance = new();

    public override string Name => "pass";

    /// <summary>Keeps no tensor of the pass: the pass may recycle its buffers.</summary>
    public override bool KeepsTensors => false;

    public override Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput) =>
        [gradOutput];
}
