using EvalHarness.Engine;
using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Graph;

namespace EvalHarness.Metrics.Sanity;

/// <summary>
/// Cascading randomisation of a model's parameterised layers from the output down (Adebayo et al.
/// 2018 §3.1). Each randomised parameter gets a new tensor of N(0, σ²) values, σ the standard deviation
/// of the original values of that tensor, from a stream derived from the seed and the parameter's name
/// (the same randomised model for every batch). Original tensors are never written: they are swapped
/// out and swapped back by <see cref="Dispose"/>, so the model is bit-identical afterwards, also after
/// an exception. Buffers (running statistics) stay. The graph must not be used by anything else meanwhile.
/// </summary>
public sealed class CascadingRandomization : IDisposable
{
    private readonly List<(Parameter Parameter, Tensor Original)> _swapped = [];
    private readonly ulong _seed;

    public CascadingRandomization(Graph graph, ulong seed)
    {
        _seed = seed;
        Layers = graph.Nodes.Where(n => n.Layer.Parameters().Any(p => !p.Parameter.IsBuffer)).Reverse().ToList();
    }

    /// <summary>Nodes with trainable parameters, from the output towards the input: the cascade's order.</summary>
    public IReadOnlyList<Node> Layers { get; }

    /// <summary>How many layers of the cascade are randomised so far.</summary>
    public int Randomised { get; private set; }

    /// <summary>Randomises the next layer of the cascade.</summary>
    public Node RandomiseNext()
    {
        if (Randomised >= Layers.Count) throw new InvalidOperationException("Every parameterised layer is already randomised.");
        var node = Layers[Randomised];
        foreach (var (local, p) in node.Layer.Parameters())
        {
            if (p.IsBuffer) continue;
            var original = p.Value;
            var fresh = Tensor.Uninitialized(original.ShapeArray);
            double mean = 0, sq = 0;
            foreach (float v in original.Data) mean += v;
            mean /= Math.Max(1, original.Length);
            foreach (float v in original.Data) sq += (v - mean) * (v - mean);
            double std = Math.Sqrt(sq / Math.Max(1, original.Length));
            var rng = Rng.Derive(_seed, "sanity-randomization:" + node.Name + "." + local);
            for (int i = 0; i < fresh.Length; i++) fresh.Data[i] = (float)(std * rng.NextGaussian()); // Adebayo et al. 2018: re-initialise
            _swapped.Add((p, original));
            p.Value = fresh;
        }
        Randomised++;
        return node;
    }

    /// <summary>Puts every original tensor back.</summary>
    public void Dispose()
    {
        for (int i = _swapped.Count - 1; i >= 0; i--) _swapped[i].Parameter.Value = _swapped[i].Original;
        _swapped.Clear();
    }
}
