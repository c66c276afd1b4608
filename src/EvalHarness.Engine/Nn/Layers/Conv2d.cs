using System.Buffers;
using System.Numerics.Tensors;
using EvalHarness.Engine.Gemm;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// 2-D convolution as torch.nn.Conv2d: weight Cout×(Cin/groups)×kh×kw, optional bias.
/// Per image, per group: y_g = W_g·col_g (+ bias) with col from <see cref="Im2Col"/> in one pooled
/// scratch buffer; 1×1 stride-1 unpadded convolutions multiply the input directly, convolutions
/// with one input channel per group (depthwise) use direct loops (<see cref="DepthwiseConv"/>), and
/// 3×3 stride-1 convolutions with enough channels use Winograd's F(4×4, 3×3) (<see cref="WinogradConv"/>),
/// forward and for the input gradient. The weights' GEMM forms (packed W_g, W_gᵀ, Winograd transforms)
/// are kept between calls and rebuilt when the weights change (<see cref="DerivedWeights{T}"/>).
/// </summary>
public sealed class Conv2d : Layer
{
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0,
        int dilation = 1, int groups = 1, bool bias = true)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (dilation, dilation), groups, bias) { }

    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W) stride, (int H, int W) padding,
        (int H, int W) dilation, int groups = 1, bool bias = true)
    {
        if (inChannels <= 0 || outChannels <= 0 || groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d({inChannels}, {outChannels}, groups={groups}): channels must be positive and divisible by groups.");
        if (kernelSize.H <= 0 || kernelSize.W <= 0 || stride.H <= 0 || stride.W <= 0 || dilation.H <= 0 || dilation.W <= 0 || padding.H < 0 || padding.W < 0)
            throw new ArgumentException($"Conv2d: kernel {kernelSize}, stride {stride}, dilation {dilation} must be positive and padding {padding} non-negative.");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        Weight = new Parameter(new Tensor(outChannels, inChannels / groups, kernelSize.H, kernelSize.W));
        Bias = bias ? new Parameter(new Tensor(outChannels)) : null;
    }

    /// <summary>Fewest input and output channels for which Winograd beats im2col + GEMM here.</summary>
    internal const int WinogradMinChannels = 16;

    private readonly DerivedWeights<PackedMatrixSet> _packedForward = new();
    private readonly DerivedWeights<PackedMatrixSet> _packedInputGradient = new();
    private readonly DerivedWeights<PackedMatrixSet> _winogradForward = new();
    private readonly DerivedWeights<PackedMatrixSet> _winogradInputGradient = new();

    /// <summary>False forces im2col + GEMM where Winograd would be used (for tests; EVALHARNESS_WINOGRAD=0 for every layer).</summary>
    internal bool AllowWinograd { get; set; } = WinogradEnabled;

    /// <summary>EVALHARNESS_WINOGRAD=0 turns Winograd off for every new layer: slower, with direct-convolution rounding.</summary>
    internal static bool WinogradEnabled { get; } = Environment.GetEnvironmentVariable("EVALHARNESS_WINOGRAD") != "0";

    /// <summary>The Winograd variant used for this layer's 3×3 convolutions.</summary>
    internal WinogradTransform WinogradAlgorithm { get; set; } = DefaultWinograd;

    /// <summary>The variant new layers use.</summary>
    internal static WinogradTransform DefaultWinograd { get; } = WinogradF2x3.Instance;

    /// <summary>Fewest tiles (over the batch) for which Winograd beats im2col + GEMM here: below that the
    /// products are too narrow for the micro-kernel and the transformed kernels (α²/9 times the weights) cost
    /// more to stream than they save. Settable for tests.</summary>
    internal int MinWinogradTiles { get; set; } = 48;

    /// <summary>True when this layer's 3×3 stride-1 shape and channel counts allow <see cref="WinogradConv"/>.</summary>
    internal bool CanUseWinograd =>
        AllowWinograd && WinogradConv.IsSupported && KernelSize == (3, 3) && Stride == (1, 1) && Dilation == (1, 1)
        && Groups == 1 && Padding.H <= 2 && Padding.W <= 2
        && InChannels >= WinogradMinChannels && OutChannels >= WinogradMinChannels;

    /// <summary>True when a pass over <paramref name="batch"/> images with outputs outHeight×outWidth uses Winograd.</summary>
    internal bool UsesWinograd(int batch, int outHeight, int outWidth)
    {
        if (!CanUseWinograd) return false;
        int tile = WinogradAlgorithm.Tile;
        return (long)batch * ((outHeight + tile - 1) / tile) * ((outWidth + tile - 1) / tile) >= MinWinogradTiles;
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public (int H, int W) KernelSize { get; }

    public (int H, int W) Stride { get; }

    public (int H, int W) Padding { get; }

    public (int H, int W) Dilation { get; }

    public int Groups { get; }

    public Parameter Weight { get; }

    public Parameter? Bias { get; }

    public override string Kind => "Conv2d";

    public override IEnumerable<(string Name, Parameter Parameter)> Parameters()
    {
        yield return ("weight", Weight);
        if (Bias != null) yield return ("bias", Bias);
    }

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        CheckArity(inputShapes);
        var s = inputShapes[0];
        RequireRank(s, 4, ToString());
        if (s[1] != InChannels) throw new ShapeException($"{this} expects {InChannels} input channels, got {s[1]} (input {ShapeUtil.Format(s)}).");
        int oh = ShapeUtil.WindowOutput(s[2], KernelSize.H, Stride.H, Padding.H, Dilation.H, false);
        int ow = ShapeUtil.WindowOutput(s[3], KernelSize.W, Stride.W, Padding.W, Dilation.W, false);
        if (oh <= 0 || ow <= 0) throw new ShapeException($"{this}: input {s[2]}×{s[3]} is smaller than the kernel.");
        return [s[0], OutChannels, oh, ow];
    }

    /// <summary>True when each group has one input channel (depthwise convolution).</summary>
    public bool IsDepthwise => InChannels / Groups == 1;

    /// <summary>True for 1×1 stride-1 unpadded convolutions, which need no column matrix.</summary>
    public bool IsPointwise => KernelSize == (1, 1) && Stride == (1, 1) && Padding == (0, 0);

    private int ColumnBufferLength(in ConvWindow w)
    {
        long length = Im2Col.ColumnLength(InChannels, w);
        if (length > Array.MaxLength)
            throw new ShapeException($"{this}: the column matrix of one {w.Height}×{w.Width} image would hold {length} values, more than one buffer can; use a smaller input.");
        return (int)length;
    }

    private ConvWindow Window(int height, int width, int outHeight, int outWidth) =>
        new(height, width, outHeight, outWidth, KernelSize.H, KernelSize.W, Stride.H, Stride.W, Padding.H, Padding.W, Dilation.H, Dilation.W);

    public override Tensor Forward(IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var shape = OutputShape([x.ShapeArray]);
        var y = Tensor.Uninitialized(shape);
        int batch = shape[0];
        var w = Window(x.H, x.W, shape[2], shape[3]);
        var weight = Weight.Value.Data;
        var bias = Bias?.Value.Data;
        if (IsDepthwise)
        {
            DepthwiseConv.Forward(x.Data, weight, bias, y.Data, batch, InChannels, OutChannels / InChannels, w);
            return y;
        }

        var gemm = GemmProvider.Current;
        if (UsesWinograd(batch, shape[2], shape[3]))
        {
            var transform = WinogradAlgorithm;
            using var u = _winogradForward.Acquire(Weight, transform, data => WinogradConv.TransformWeights(transform, data, OutChannels, InChannels, false));
            WinogradConv.Run(transform, u.Value, x.Data, batch, x.H, x.W, Padding.H, Padding.W, bias, y.Data, shape[2], shape[3]);
            return y;
        }
        int cg = InChannels / Groups, mg = OutChannels / Groups, k = cg * w.Taps, p = w.OutPlane;
        using var packed = _packedForward.Acquire(Weight, gemm, data => PackGroups(gemm, data, mg, k, transpose: false));
        float[]? col = IsPointwise ? null : ArrayPool<float>.Shared.Rent(ColumnBufferLength(w));
        try
        {
            for (int n = 0; n < batch; n++)
            {
                int xOffset = n * InChannels * w.InPlane, yOffset = n * OutChannels * p;
                if (col != null) Im2Col.Pack(x.Data, xOffset, InChannels, w, col);
                for (int g = 0; g < Groups; g++)
                {
                    ReadOnlySpan<float> b = col != null ? col.AsSpan(g * k * p, k * p) : x.Data.AsSpan(xOffset + g * k * p, k * p);
                    gemm.Sgemm(packed.Value[g], false, p, 1f, b, p, 0f, y.Data.AsSpan(yOffset + g * mg * p, mg * p), p);
                }
                if (bias != null)
                {
                    for (int oc = 0; oc < OutChannels; oc++)
                    {
                        var row = y.Data.AsSpan(yOffset + oc * p, p);
                        TensorPrimitives.Add(row, bias[oc], row);
                    }
                }
            }
        }
        finally
        {
            if (col != null) ArrayPool<float>.Shared.Return(col);
        }
        return y;
    }

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
    {
        var x = inputs[0];
        var shape = OutputShape([x.ShapeArray]);
        LayerChecks.SameShape(this, "the output gradient", gradOutput, shape);
        int batch = shape[0];
        var w = Window(x.H, x.W, shape[2], shape[3]);
        var weight = Weight.Value.Data;
        var go = gradOutput.Data;
        bool wantInput = needInput.Count == 0 || needInput[0];
        float[]? gradWeight = null, gradBias = null;
        if (parameterGradients)
        {
            Weight.Grad ??= new Tensor(Weight.Value.ShapeArray);
            gradWeight = Weight.Grad.Data;
            if (Bias != null)
            {
                Bias.Grad ??= new Tensor(Bias.Value.ShapeArray);
                gradBias = Bias.Grad.Data;
            }
        }

        if (IsDepthwise)
        {
            int multiplier = OutChannels / InChannels;
            Tensor? gxd = null;
            if (wantInput)
            {
                gxd = Tensor.Uninitialized(x.ShapeArray);
                DepthwiseConv.BackwardInput(go, weight, gxd.Data, batch, InChannels, multiplier, w);
            }
            if (gradWeight != null) DepthwiseConv.BackwardParameters(x.Data, go, gradWeight, gradBias, batch, InChannels, multiplier, w);
            return [gxd];
        }

        var gemm = GemmProvider.Current;
        int cg = InChannels / Groups, mg = OutChannels / Groups, k = cg * w.Taps, p = w.OutPlane;
        Tensor? gxWinograd = null;
        bool winograd = UsesWinograd(batch, shape[2], shape[3]);
        if (winograd && wantInput)
        {
            // The input gradient of a stride-1 3×3 convolution is a 3×3 convolution of the output gradient
            // with the kernels rotated by 180° and transposed, padded by 2 − p.
            gxWinograd = Tensor.Uninitialized(x.ShapeArray);
            var transform = WinogradAlgorithm;
            using var u = _winogradInputGradient.Acquire(Weight, transform, data => WinogradConv.TransformWeights(transform, data, OutChannels, InChannels, true));
            WinogradConv.Run(transform, u.Value, go, batch, shape[2], shape[3], 2 - Padding.H, 2 - Padding.W, null, gxWinograd.Data, x.H, x.W);
        }
        // col2im accumulates, so the input gradient starts at zero unless the GEMM writes it directly.
        var gx = wantInput && !winograd ? (IsPointwise ? Tensor.Uninitialized(x.ShapeArray) : new Tensor(x.ShapeArray)) : null;
        float[]? col = IsPointwise || (gx == null && gradWeight == null) ? null
            : ArrayPool<float>.Shared.Rent(ColumnBufferLength(w));
        DerivedWeights<PackedMatrixSet>.Lease? packedT = null;
        try
        {
            for (int n = 0; n < batch; n++)
            {
                int xOffset = n * InChannels * w.InPlane, yOffset = n * OutChannels * p;
                if (gradWeight != null)
                {
                    // dW_g += gradOut_g · col_gᵀ
                    if (col != null) Im2Col.Pack(x.Data, xOffset, InChannels, w, col);
                    for (int g = 0; g < Groups; g++)
                    {
                        ReadOnlySpan<float> b = col != null ? col.AsSpan(g * k * p, k * p) : x.Data.AsSpan(xOffset + g * k * p, k * p);
                        gemm.Sgemm(false, true, mg, k, p, 1f, go.AsSpan(yOffset + g * mg * p, mg * p), p, b, p,
                            1f, gradWeight.AsSpan(g * mg * k, mg * k), k);
                    }
                }
                if (gx != null)
                {
                    // col_g = W_gᵀ · gradOut_g, then col2im
                    packedT ??= _packedInputGradient.Acquire(Weight, gemm, data => PackGroups(gemm, data, mg, k, transpose: true));
                    for (int g = 0; g < Groups; g++)
                    {
                        Span<float> c = col != null ? col.AsSpan(g * k * p, k * p) : gx.Data.AsSpan(xOffset + g * k * p, k * p);
                        gemm.Sgemm(packedT.Value.Value[g], false, p, 1f, go.AsSpan(yOffset + g * mg * p, mg * p), p, 0f, c, p);
                    }
                    if (col != null) Im2Col.Unpack(col, InChannels, w, gx.Data, xOffset);
                }
            }
        }
        finally
        {
            if (col != null) ArrayPool<float>.Shared.Return(col);
            packedT?.Dispose();
        }

        if (gradBias != null)
        {
            for (int oc = 0; oc < OutChannels; oc++)
            {
                double sum = 0;
                for (int n = 0; n < batch; n++) sum += TensorPrimitives.Sum(go.AsSpan((n * OutChannels + oc) * p, p));
                gradBias[oc] += (float)sum;
            }
        }
        return [winograd ? gxWinograd : gx];
    }

    /// <summary>W_g (Cout/groups × K) per group as packed A operands, or W_gᵀ when <paramref name="transpose"/>.</summary>
    private PackedMatrixSet PackGroups(IGemm gemm, float[] weight, int mg, int k, bool transpose)
    {
        var packs = new IPackedMatrix[Groups];
        for (int g = 0; g < Groups; g++)
        {
            var wg = weight.AsSpan(g * mg * k, mg * k);
            packs[g] = transpose ? gemm.Pack(GemmOperand.A, true, k, mg, wg, k) : gemm.Pack(GemmOperand.A, false, mg, k, wg, k);
        }
        return new PackedMatrixSet(packs);
    }

    public override string ToString() =>
        $"Conv2d({InChannels}, {OutChannels}, k={KernelSize.H}x{KernelSize.W}, s={Stride.H}x{Stride.W}, p={Padding.H}x{Padding.W}" +
        (Dilation != (1, 1) ? $", d={Dilation.H}x{Dilation.W}" : "") + (Groups != 1 ? $", groups={Groups}" : "") + (Bias == null ? ", bias=False" : "") + ")";
}
