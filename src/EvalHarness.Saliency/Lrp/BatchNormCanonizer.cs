using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Saliency.Lrp;

/// <summary>
/// Finds each inference batch norm that directly follows a convolution whose output nothing else reads
/// (zennit's MergeBatchNorm / SequentialMergeBatchNorm). LRP then treats the pair as one convolution with
/// the folded parameters (<see cref="AffineLayer.Folded"/>) and passes relevance through the batch norm
/// unchanged. Folding works on copies of the parameters, so the model is never modified and there is
/// nothing to restore.
/// </summary>
public static class BatchNormCanonizer
{
    /// <summary>Convolution node index → (its batch norm's node index, the folded layer).</summary>
    public static Dictionary<int, (int BatchNorm, AffineLayer Folded)> Fold(Graph graph)
    {
        var readers = new int[graph.Nodes.Count];
        foreach (var node in graph.Nodes)
            foreach (int i in node.Inputs)
                if (i >= 0) readers[i]++;
        var result = new Dictionary<int, (int, AffineLayer)>();
        foreach (var node in graph.Nodes)
        {
            if (node.Layer is not BatchNorm2d bn || node.Inputs[0] < 0) continue;
            var producer = graph.Nodes[node.Inputs[0]];
            if (producer.Layer is Conv2d conv && readers[producer.Index] == 1)
                result[producer.Index] = (node.Index, AffineLayer.Folded(conv, bn));
        }
        return result;
    }
}
