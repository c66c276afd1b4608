using EvalHarness.Engine;
using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Graph;
using Tensor = EvalHarness.Engine.Tensor;

namespace EvalHarness.Saliency.Lrp;

/// <summary>
/// LRP-zᴮ for inputs bounded by l ≤ x ≤ h (Montavon et al. 2017, §4.3 "z^B-rule"; zennit ZBox):
/// z_j = Σ_i (x_i w_ij − l_i w_ij⁺ − h_i w_ij⁻), R_i = Σ_j (x_i w_ij − l_i w_ij⁺ − h_i w_ij⁻) R_j / stab(z_j).
/// The bounds are per input channel (for images: (0 − mean)/std and (1 − mean)/std of the preprocessing),
/// or one value for all channels.
/// </summary>
public sealed class ZBoxRule : LrpRule
{
    private readonly AffineLayer _layer;
    private readonly float[] _low, _high;
    private readonly float _stabilizer;
    private Layer? _plain, _plus, _minus;

    public ZBoxRule(AffineLayer layer, float[] low, float[] high, float stabilizer = DefaultStabilizer)
    {
        if (low.Length == 0 || low.Length != high.Length)
            throw new EvalHarnessException($"LRP zᴮ bounds need as many low as high values (one, or one per input channel); got {low.Length} and {high.Length}.");
        for (int i = 0; i < low.Length; i++)
            if (!(low[i] <= high[i])) throw new EvalHarnessException($"LRP zᴮ bounds: low {low[i]} exceeds high {high[i]} (channel {i}).");
        (_layer, _low, _high, _stabilizer) = (layer, low, high, stabilizer);
    }

    public override string Name => "zbox";

    /// <summary>Keeps no tensor of the pass: the pass may recycle its buffers.</summary>
    public override bool KeepsTensors => false;

    public override Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput)
    {
        using var scratch = Temporaries();
        _plain ??= _layer.With(w => w, null);
        _plus ??= _layer.With(Relu, null);
        _minus ??= _layer.With(NegativePart, null);
        var x = inputs[0];
        var low = Bound(x, _low, node);
        var high = Bound(x, _high, node);
        var z = Forward(_plain, x);
        var zl = Forward(_plus, low);
        var zh = Forward(_minus, high);
        for (int i = 0; i < z.Length; i++) z.Data[i] -= zl.Data[i] + zh.Data[i];
        var s = Ratio(gradOutput, z, _stabilizer);
        return [Combine((1f, x, Transposed(_plain, x, s)), (-1f, low, Transposed(_plus, low, s)), (-1f, high, Transposed(_minus, high, s)))];
    }

    private static Tensor Bound(Tensor x, float[] values, Node node)
    {
        int channels = x.Rank >= 2 ? x.Dim(1) : 1;
        if (values.Length != 1 && values.Length != channels)
            throw new EvalHarnessException($"LRP zᴮ at '{node.Name}': {values.Length} bounds given for an input with {channels} channels; give one value or one per channel.");
        var t = Tensor.Uninitialized(x.ShapeArray);
        int inner = x.ItemLength / channels;
        for (int n = 0; n < x.N; n++)
            for (int c = 0; c < channels; c++)
                t.Data.AsSpan((n * channels + c) * inner, inner).Fill(values.Length == 1 ? values[0] : values[c]);
        return t;
    }
}
