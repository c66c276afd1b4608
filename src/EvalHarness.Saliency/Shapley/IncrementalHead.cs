using System.Numerics.Tensors;
using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;
using Tensor = EvalHarness.Engine.Tensor;

namespace EvalHarness.Saliency.Shapley;

/// <summary>
/// Cheap coalition values along a permutation, for heads that begin with channel-wise, zero-preserving
/// operations (ReLU, ReLU6, dropout, identity, max/average pooling, flatten) followed by an affine layer
/// (a convolution without groups, or a linear layer after flatten), as SqueezeNet's 1×1 classifier
/// convolution and VGG's first classifier layer. Zeroing maps commutes with those operations, so the
/// affine layer's output for a coalition S is z(S) = b + Σ_{k∈S} W_k ∗ A'_k (A' = the operations applied
/// to A), and each prefix of a permutation adds one player's term to the previous prefix: a whole
/// permutation costs about one pass of the affine layer instead of K, and only the layers after it run
/// per coalition. The values equal <see cref="ActivationShapley"/>'s head passes up to float32 rounding
/// (the terms are summed in permutation order rather than by a GEMM).
/// </summary>
internal sealed class IncrementalHead
{
    private readonly string _affineName;
    private readonly Tensor _prepared;          // A' (1×K×h×w, or 1×K·s after flatten)
    private readonly Conv2d? _conv;
    private readonly Linear? _linear;
    private readonly int[] _outShape;           // the affine layer's output without the batch dimension
    private readonly int _outLength, _channels, _spatial;
    private readonly Conv2d?[] _singleChannel;  // conv: lazily built one-input-channel slices of the weights

    private IncrementalHead(string affineName, Tensor prepared, Conv2d? conv, Linear? linear, int[] outShape, int channels, int spatial)
    {
        _affineName = affineName;
        _prepared = prepared;
        _conv = conv;
        _linear = linear;
        _outShape = outShape;
        _outLength = ShapeUtil.Volume(outShape);
        _channels = channels;
        _spatial = spatial;
        _singleChannel = new Conv2d?[channels];
    }

    /// <summary>The incremental form of the head after <paramref name="layer"/> for activations <paramref name="a"/> (1×K×h×w), or null when the head does not have that shape.</summary>
    public static IncrementalHead? TryCreate(Graph graph, string layer, Tensor a)
    {
        int start = graph.IndexOf(layer);
        // Every node after the target layer must read only its predecessor, so the head can be entered at any node.
        for (int j = start + 1; j < graph.Nodes.Count; j++)
            if (graph.Nodes[j].Inputs.Count != 1 || graph.Nodes[j].Inputs[0] != j - 1) return null;
        var t = a.Clone(); // the layers' own forward passes; the caller's activations stay untouched
        bool flattened = false;
        for (int j = start + 1; j < graph.Nodes.Count; j++)
        {
            var node = graph.Nodes[j];
            switch (node.Layer)
            {
                case ReLU or ReLU6 or Identity or MaxPool2d or AvgPool2d or AdaptiveAvgPool2d when !flattened:
                    t = node.Layer.Forward([t]);
                    continue;
                case Flatten when !flattened && t.Rank == 4:
                    flattened = true;
                    t = node.Layer.Forward([t]);
                    continue;
                case Conv2d { Groups: 1 } conv when !flattened && t.Rank == 4 && conv.InChannels == t.C:
                    return new IncrementalHead(node.Name, t, conv, null, conv.OutputShape([t.ShapeArray])[1..], t.C, t.H * t.W);
                case Linear linear when flattened && linear.InFeatures == t.Dim(1) && t.Dim(1) % a.C == 0:
                    return new IncrementalHead(node.Name, t, null, linear, [linear.OutFeatures], a.C, t.Dim(1) / a.C);
                default:
                    return null;
            }
        }
        return null;
    }

    /// <summary>
    /// y^c of the 2(P + 1) coalitions of an antithetic pair: the prefixes (∅ first) of <paramref name="perm"/>,
    /// then those of its reverse; <paramref name="owner"/> maps each map to its player.
    /// </summary>
    public double[] PairValues(ExplainContext context, int target, int[] perm, int[] owner)
    {
        int players = perm.Length;
        var members = new List<int>[players];
        for (int p = 0; p < players; p++) members[p] = [];
        for (int c = 0; c < _channels; c++) members[owner[c]].Add(c);
        int count = 2 * (players + 1);
        var z = new float[_outLength];
        var term = new float[_outLength];
        int last = -1;
        var logits = BatchedModel.RunHead(context, _affineName, count, _outShape, (index, dst) =>
        {
            int dir = index / (players + 1), step = index % (players + 1);
            if (index != last + 1) throw new InvalidOperationException("Coalitions must be filled in order.");
            if (step == 0) Bias(z);
            else
            {
                int player = dir == 0 ? perm[step - 1] : perm[players - step];
                foreach (int c in members[player])
                {
                    if (IsPointwise) AddPointwise(c, z);
                    else
                    {
                        Term(c, term);
                        TensorPrimitives.Add(z, term, z);
                    }
                }
            }
            last = index;
            z.CopyTo(dst);
        });
        var v = new double[count];
        for (int i = 0; i < count; i++) v[i] = BatchedModel.Logit(logits, i, target);
        return v;
    }

    private void Bias(float[] z)
    {
        var bias = (_conv?.Bias ?? _linear!.Bias)?.Value.Data;
        if (bias is null)
        {
            Array.Clear(z);
            return;
        }
        int per = _outLength / bias.Length;
        for (int o = 0; o < bias.Length; o++) z.AsSpan(o * per, per).Fill(bias[o]);
    }

    /// <summary>A 1×1 convolution with stride 1 and no padding: map c adds the rank-1 term W[:, c] ⊗ A'_c.</summary>
    private bool IsPointwise => _conv is { KernelSize: (1, 1), Stride: (1, 1), Padding: (0, 0) };

    private void AddPointwise(int c, float[] z)
    {
        var conv = _conv!;
        var w = conv.Weight.Value.Data;
        var input = _prepared.Data.AsSpan(c * _spatial, _spatial);
        for (int o = 0; o < conv.OutChannels; o++)
        {
            var row = z.AsSpan(o * _spatial, _spatial);
            TensorPrimitives.MultiplyAdd(input, w[o * conv.InChannels + c], row, row);
        }
    }

    /// <summary>The affine layer's output from map <paramref name="c"/> alone, without bias.</summary>
    private void Term(int c, float[] term)
    {
        var input = _prepared.Data.AsSpan(c * _spatial, _spatial);
        if (_linear is { } linear)
        {
            var w = linear.Weight.Value.Data;
            int inFeatures = linear.InFeatures;
            for (int o = 0; o < linear.OutFeatures; o++)
                term[o] = TensorPrimitives.Dot(w.AsSpan(o * inFeatures + c * _spatial, _spatial), input);
            return;
        }
        var single = _singleChannel[c] ??= SingleChannel(_conv!, c);
        var x = Tensor.Uninitialized([1, 1, _prepared.H, _prepared.W]);
        input.CopyTo(x.Data);
        single.Forward([x]).Data.AsSpan(0, _outLength).CopyTo(term);
    }

    /// <summary>The convolution restricted to input channel <paramref name="c"/>: weights W[:, c], no bias.</summary>
    private static Conv2d SingleChannel(Conv2d conv, int c)
    {
        var single = new Conv2d(1, conv.OutChannels, conv.KernelSize, conv.Stride, conv.Padding, conv.Dilation, 1, bias: false);
        int taps = conv.KernelSize.H * conv.KernelSize.W;
        var w = conv.Weight.Value.Data;
        var dst = single.Weight.Value.Data;
        for (int o = 0; o < conv.OutChannels; o++)
            w.AsSpan((o * conv.InChannels + c) * taps, taps).CopyTo(dst.AsSpan(o * taps, taps));
        return single;
    }
}
