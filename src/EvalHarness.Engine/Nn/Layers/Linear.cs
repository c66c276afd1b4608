using System.Numerics.Tensors;
using EvalHarness.Engine.Gemm;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// y = x·Wᵀ + b on N×in inputs; weight is out×in as in torch.nn.Linear. Up to
/// <see cref="StreamingMaxBatch"/> rows, the products stream the weight matrix once, row by row (a
/// matrix-vector product is bound by memory bandwidth: packing would only add traffic); larger batches
/// use the GEMM, with a packed copy of the weights kept between calls (<see cref="DerivedWeights{T}"/>)
/// when the weights are at most <see cref="PackMaxFloats"/>: a packed copy of VGG16's fc6 (0.4 GB, twice
/// for the input gradient) would speed that layer up by about a quarter (--gemm-quick, vgg16.fc6.b16),
/// under 1% of the network's time, for twice the model's memory.
/// </summary>
public sealed class Linear : Layer
{
    /// <summary>Largest batch multiplied by streaming the weights instead of a packed GEMM.</summary>
    internal const int StreamingMaxBatch = 4;

    /// <summary>Largest weight matrix (floats) kept packed between calls (default 64 MB; settable for tests).</summary>
    internal long PackMaxFloats { get; set; } = 1L << 24;

    private readonly DerivedWeights<PackedMatrixSet> _packedForward = new();
    private readonly DerivedWeights<PackedMatrixSet> _packedInputGradient = new();

    public Linear(int inFeatures, int outFeatures, bool bias = true)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Linear({inFeatures}, {outFeatures}) needs positive sizes.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = new Parameter(new Tensor(outFeatures, inFeatures));
        Bias = bias ? new Parameter(new Tensor(outFeatures)) : null;
    }

    public int InFeatures { get; }

    public int OutFeatures { get; }

    public Parameter Weight { get; }

    public Parameter? Bias { get; }

    public override string Kind => "Linear";

    public override IEnumerable<(string Name, Parameter Parameter)> Parameters()
    {
        yield return ("weight", Weight);
        if (Bias != null) yield return ("bias", Bias);
    }

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        CheckArity(inputShapes);
        var s = inputShapes[0];
        RequireRank(s, 2, ToString());
        if (s[1] != InFeatures) throw new ShapeException($"{this} expects {InFeatures} input features, got {s[1]} (input {ShapeUtil.Format(s)}).");
        return [s[0], OutFeatures];
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var shape = OutputShape([x.ShapeArray]);
        var y = Tensor.Uninitialized(shape);
        int n = shape[0];
        var weight = Weight.Value.Data;
        var bias = Bias?.Value.Data;
        if (n <= StreamingMaxBatch)
        {
            // y[b, o] = x[b]·W[o] (+ bias[o]): each weight row is read once for all rows of the batch.
            int inF = InFeatures, outF = OutFeatures;
            LayerParallel.For(Chunks(outF), (long)outF * inF * n, chunk =>
            {
                var (o0, o1) = ChunkRange(chunk, outF);
                for (int o = o0; o < o1; o++)
                {
                    var row = weight.AsSpan(o * inF, inF);
                    for (int b = 0; b < n; b++)
                        y.Data[b * outF + o] = TensorPrimitives.Dot(x.Data.AsSpan(b * inF, inF), row) + (bias?[o] ?? 0f);
                }
            });
            return y;
        }
        if (bias != null)
            for (int b = 0; b < n; b++) bias.CopyTo(y.Data, b * OutFeatures);
        var gemm = GemmProvider.Current;
        float beta = bias != null ? 1f : 0f;
        if (weight.LongLength > PackMaxFloats)
        {
            gemm.Sgemm(false, true, n, OutFeatures, InFeatures, 1f, x.Data, InFeatures, weight, InFeatures, beta, y.Data, OutFeatures);
            return y;
        }
        using var packed = _packedForward.Acquire(Weight, gemm, data =>
            new PackedMatrixSet([gemm.Pack(GemmOperand.B, true, InFeatures, OutFeatures, data, InFeatures)]));
        gemm.Sgemm(false, n, 1f, x.Data, InFeatures, packed.Value[0], beta, y.Data, OutFeatures);
        return y;
    }

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
    {
        var x = inputs[0];
        LayerChecks.SameShape(this, "the output gradient", gradOutput, OutputShape([x.ShapeArray]));
        int n = x.N;
        var gemm = GemmProvider.Current;
        Tensor? gx = null;
        if (needInput[0])
        {
            gx = Tensor.Uninitialized(x.ShapeArray);
            if (n <= StreamingMaxBatch)
            {
                // gx[b] = Σ_o gradOut[b, o]·W[o]: each thread owns a slice of the input features.
                int inF = InFeatures, outF = OutFeatures;
                var weight = Weight.Value.Data;
                var go = gradOutput.Data;
                LayerParallel.For(Chunks(inF), (long)outF * inF * n, chunk =>
                {
                    var (i0, i1) = ChunkRange(chunk, inF);
                    for (int b = 0; b < n; b++) gx.Data.AsSpan(b * inF + i0, i1 - i0).Clear();
                    for (int o = 0; o < outF; o++)
                    {
                        var row = weight.AsSpan(o * inF + i0, i1 - i0);
                        for (int b = 0; b < n; b++)
                        {
                            float g = go[b * outF + o];
                            var dst = gx.Data.AsSpan(b * inF + i0, i1 - i0);
                            TensorPrimitives.MultiplyAdd(row, g, dst, dst);
                        }
                    }
                });
            }
            else if (Weight.Value.Data.LongLength > PackMaxFloats)
            {
                gemm.Sgemm(false, false, n, InFeatures, OutFeatures, 1f, gradOutput.Data, OutFeatures,
                    Weight.Value.Data, InFeatures, 0f, gx.Data, InFeatures);
            }
            else
            {
                using var packed = _packedInputGradient.Acquire(Weight, gemm, data =>
                    new PackedMatrixSet([gemm.Pack(GemmOperand.B, false, OutFeatures, InFeatures, data, InFeatures)]));
                gemm.Sgemm(false, n, 1f, gradOutput.Data, OutFeatures, packed.Value[0], 0f, gx.Data, InFeatures);
            }
        }
        if (parameterGradients)
        {
            Weight.Grad ??= new Tensor(Weight.Value.ShapeArray);
            gemm.Sgemm(true, false, OutFeatures, InFeatures, n, 1f, gradOutput.Data, OutFeatures,
                x.Data, InFeatures, 1f, Weight.Grad.Data, InFeatures);
            if (Bias != null)
            {
                Bias.Grad ??= new Tensor(OutFeatures);
                for (int b = 0; b < n; b++)
                    TensorPrimitives.Add(Bias.Grad.Data, gradOutput.Data.AsSpan(b * OutFeatures, OutFeatures), Bias.Grad.Data);
            }
        }
        return [gx];
    }

    /// <summary>Work items for the streaming products: a few per processor, each a contiguous range.</summary>
    private static int Chunks(int length) => Math.Clamp(length / 64, 1, 4 * Environment.ProcessorCount);

    private static (int Start, int End) ChunkRange(int chunk, int length)
    {
        int chunks = Chunks(length);
        return ((int)((long)length * chunk / chunks), (int)((long)length * (chunk + 1) / chunks));
    }

    public override string ToString() => $"Linear({InFeatures}, {OutFeatures}{(Bias == null ? ", bias=False" : "")})";
}
