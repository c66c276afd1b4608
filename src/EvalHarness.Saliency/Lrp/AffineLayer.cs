using EvalHarness.Engine;
using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Layers;
using Tensor = EvalHarness.Engine.Tensor;

namespace EvalHarness.Saliency.Lrp;

/// <summary>
/// The weight and bias of a convolution or linear layer as an LRP rule sees them (possibly with a
/// batch norm folded in), and copies of the layer with modified parameters (W⁺, W⁻, W + γW⁺, W², ones).
/// The model's own layers are never changed.
/// </summary>
public sealed class AffineLayer
{
    private readonly Layer _template;

    private readonly bool _folded;

    private AffineLayer(Layer template, Tensor weight, Tensor? bias, bool folded = false)
    {
        _template = template;
        Weight = weight;
        Bias = bias;
        _folded = folded;
    }

    public Tensor Weight { get; }

    public Tensor? Bias { get; }

    /// <summary>True when <paramref name="layer"/> is a layer LRP treats as affine (Conv2d, Linear).</summary>
    public static bool IsAffine(Layer layer) => layer is Conv2d or Linear;

    public static AffineLayer Of(Layer layer) => layer switch
    {
        Conv2d c => new AffineLayer(c, c.Weight.Value, c.Bias?.Value),
        Linear l => new AffineLayer(l, l.Weight.Value, l.Bias?.Value),
        _ => throw new ArgumentException($"{layer} is not a convolution or linear layer."),
    };

    /// <summary>
    /// conv followed by inference batch norm as one convolution: W' = W·γ/√(σ² + ε), b' = (b − μ)·γ/√(σ² + ε) + β
    /// (per output channel; zennit's MergeBatchNorm canonizer).
    /// </summary>
    public static AffineLayer Folded(Conv2d conv, BatchNorm2d bn)
    {
        int outC = conv.OutChannels, per = conv.Weight.Value.Length / outC;
        var w = conv.Weight.Value.Clone();
        var b = new Tensor(outC);
        for (int o = 0; o < outC; o++)
        {
            double scale = bn.Weight.Value[o] / Math.Sqrt(bn.RunningVar.Value[o] + bn.Eps);
            var row = w.Data.AsSpan(o * per, per);
            for (int i = 0; i < row.Length; i++) row[i] = (float)(row[i] * scale);
            double bias = conv.Bias?.Value[o] ?? 0;
            b[o] = (float)((bias - bn.RunningMean.Value[o]) * scale + bn.Bias.Value[o]);
        }
        return new AffineLayer(conv, w, b, folded: true);
    }

    /// <summary>True when a batch norm is folded in (the node's own output is then not this layer's output).</summary>
    public bool IsFolded => _folded;

    /// <summary>The layer with its own parameters: the model's layer itself unless a batch norm was folded in (no copy).</summary>
    public Layer Plain() => _folded ? With(w => w, b => b) : _template;

    /// <summary>A copy with parameters mapped elementwise; <paramref name="bias"/> null drops the bias.</summary>
    public Layer With(Func<float, float> weight, Func<float, float>? bias)
    {
        var w = Tensor.Uninitialized(Weight.ShapeArray);
        for (int i = 0; i < w.Length; i++) w.Data[i] = weight(Weight.Data[i]);
        Tensor? b = null;
        if (bias != null && Bias != null)
        {
            b = Tensor.Uninitialized(Bias.ShapeArray);
            for (int i = 0; i < b.Length; i++) b.Data[i] = bias(Bias.Data[i]);
        }
        return Make(w, b);
    }

    private Layer Make(Tensor weight, Tensor? bias)
    {
        Layer copy;
        Parameter wp;
        Parameter? bp;
        switch (_template)
        {
            case Conv2d c:
                var conv = new Conv2d(c.InChannels, c.OutChannels, c.KernelSize, c.Stride, c.Padding, c.Dilation, c.Groups, bias: bias != null);
                (copy, wp, bp) = (conv, conv.Weight, conv.Bias);
                break;
            case Linear l:
                var lin = new Linear(l.InFeatures, l.OutFeatures, bias: bias != null);
                (copy, wp, bp) = (lin, lin.Weight, lin.Bias);
                break;
            default:
                throw new InvalidOperationException();
        }
        wp.Value = weight;
        if (bp != null) bp.Value = bias!;
        return copy;
    }

    public override string ToString() => _template.ToString();
}
