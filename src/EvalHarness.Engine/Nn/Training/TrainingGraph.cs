using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Engine.Nn.Training;

/// <summary>
/// The training-mode twin of a graph (torch's module.train()): the same nodes, names and parameter
/// objects, with every <see cref="BatchNorm2d"/> replaced by a <see cref="TrainingBatchNorm2d"/> that
/// normalises with batch statistics and updates the shared running statistics. Updating the
/// parameters through one graph updates the other: the original stays the inference (eval) graph.
/// Training is meant to be a pure function of its seed, so the shared convolutions are pinned to
/// im2col + GEMM: Winograd is chosen by speed heuristics (batch, tile count) and rounds differently.
/// </summary>
public static class TrainingGraph
{
    public static Graph.Graph Create(Graph.Graph inference, float momentum = 0.1f)
    {
        ArgumentNullException.ThrowIfNull(inference);
        var b = new GraphBuilder();
        foreach (var node in inference.Nodes)
        {
            Layer layer = node.Layer is BatchNorm2d bn ? new TrainingBatchNorm2d(bn, momentum) : node.Layer;
            if (layer is Conv2d conv) conv.AllowWinograd = false;
            b.Add(node.Name, layer, node.Inputs.ToArray());
        }
        return b.Build();
    }
}
