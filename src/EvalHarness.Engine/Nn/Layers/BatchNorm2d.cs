using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// torch.nn.BatchNorm2d in inference mode: y = (x − running_mean)/sqrt(running_var + eps)·weight + bias.
/// State-dict entries: weight, bias, running_mean, running_var (num_batches_tracked is ignored on load).
/// </summary>
public sealed class BatchNorm2d : ShapePreservingLayer, IInPlaceLayer
{
    public BatchNorm2d(int channels, float eps = 1e-5f)
    {
        if (channels <= 0) throw new ArgumentException($"BatchNorm2d({channels}): channels must be positive.");
        Channels = channels;
        Eps = eps;
        Weight = new Parameter(Tensor.Full(1f, channels));
        Bias = new Parameter(new Tensor(channels));
        RunningMean = new Parameter(new Tensor(channels), isBuffer: true);
        RunningVar = new Parameter(Tensor.Full(1f, channels), isBuffer: true);
    }

    public int Channels { get; }

    public float Eps { get; }

    public Parameter Weight { get; }

    public Parameter Bias { get; }

    public Parameter RunningMean { get; }

    public Parameter RunningVar { get; }

    public override string Kind => "BatchNorm2d";

    public override IEnumerable<(string Name, Parameter Parameter)> Parameters()
    {
        yield return ("weight", Weight);
        yield return ("bias", Bias);
        yield return ("running_mean", RunningMean);
        yield return ("running_var", RunningVar);
    }

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        var s = base.OutputShape(inputShapes);
        RequireRank(s, 4, ToString());
        if (s[1] != Channels) throw new ShapeException($"{this} expects {Channels} channels, got {s[1]} (input {ShapeUtil.Format(s)}).");
        return s;
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var shape = OutputShape([x.ShapeArray]);
        var y = Tensor.Uninitialized(shape);
        Normalize(x.Data, y.Data, shape);
        return y;
    }

    /// <summary>y = x·scale_c + shift_c plane by plane (y may be x).</summary>
    private void Normalize(float[] x, float[] y, int[] shape)
    {
        var (scale, shift) = Affine();
        int plane = shape[2] * shape[3], planes = shape[0] * Channels;
        LayerParallel.For(planes, (long)planes * plane, index =>
        {
            int c = index % Channels;
            ScaleShift(x.AsSpan(index * plane, plane), scale[c], shift[c], y.AsSpan(index * plane, plane));
        });
    }

    /// <summary>gx = g·scale_c plane by plane, the input gradient in inference mode (gx may be g).</summary>
    private void ScaleGradient(float[] g, float[] gx, int[] shape)
    {
        var (scale, _) = Affine();
        int plane = shape[2] * shape[3], planes = shape[0] * Channels;
        LayerParallel.For(planes, (long)planes * plane, index =>
            TensorPrimitives.Multiply(g.AsSpan(index * plane, plane), scale[index % Channels], gx.AsSpan(index * plane, plane)));
    }

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
    {
        var x = inputs[0];
        var shape = OutputShape([x.ShapeArray]);
        LayerChecks.SameShape(this, "the output gradient", gradOutput, shape);
        int batch = shape[0], plane = shape[2] * shape[3], planes = batch * Channels;
        Tensor? gx = null;
        if (needInput.Count == 0 || needInput[0])
        {
            gx = Tensor.Uninitialized(x.ShapeArray);
            ScaleGradient(gradOutput.Data, gx.Data, shape);
        }
        if (parameterGradients)
        {
            Weight.Grad ??= new Tensor(Weight.Value.ShapeArray);
            Bias.Grad ??= new Tensor(Bias.Value.ShapeArray);
            var gw = Weight.Grad.Data;
            var gb = Bias.Grad.Data;
            var mean = RunningMean.Value.Data;
            var variance = RunningVar.Value.Data;
            LayerParallel.For(Channels, (long)planes * plane, c =>
            {
                // dL/dweight = Σ g·x̂ with x̂ = (x − mean)/sqrt(var + eps); dL/dbias = Σ g
                double invStd = 1.0 / Math.Sqrt((double)variance[c] + Eps);
                double weighted = 0, sum = 0;
                for (int n = 0; n < batch; n++)
                {
                    int offset = (n * Channels + c) * plane;
                    var (w, s) = CenteredSums(gradOutput.Data.AsSpan(offset, plane), x.Data.AsSpan(offset, plane), mean[c]);
                    weighted += w;
                    sum += s;
                }
                gw[c] += (float)(weighted * invStd);
                gb[c] += (float)sum;
            });
        }
        return [gx];
    }

    /// <summary>
    /// dst = (x·scale) + shift in one pass, multiplied and added separately (not fused), so each value is
    /// rounded as by a multiply followed by an add; dst may be x.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ScaleShift(ReadOnlySpan<float> x, float scale, float shift, Span<float> dst)
    {
        int i = 0;
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float rd = ref MemoryMarshal.GetReference(dst);
        if (Vector512.IsHardwareAccelerated)
        {
            var s = Vector512.Create(scale);
            var b = Vector512.Create(shift);
            for (; i + 16 <= dst.Length; i += 16)
                Vector512.Add(Vector512.Multiply(Vector512.LoadUnsafe(ref rx, (nuint)i), s), b).StoreUnsafe(ref rd, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(scale);
            var b = Vector256.Create(shift);
            for (; i + 8 <= dst.Length; i += 8)
                Vector256.Add(Vector256.Multiply(Vector256.LoadUnsafe(ref rx, (nuint)i), s), b).StoreUnsafe(ref rd, (nuint)i);
        }
        for (; i < dst.Length; i++) dst[i] = x[i] * scale + shift;
    }

    void IInPlaceLayer.ForwardInPlace(Tensor x)
    {
        Normalize(x.Data, x.Data, OutputShape([x.ShapeArray]));
    }

    bool IInPlaceLayer.TryBackwardInPlace(Tensor input, Tensor output, Tensor gradOutput, bool parameterGradients)
    {
        if (parameterGradients) return false;
        var shape = OutputShape([input.ShapeArray]);
        LayerChecks.SameShape(this, "the output gradient", gradOutput, shape);
        ScaleGradient(gradOutput.Data, gradOutput.Data, shape);
        return true;
    }

    /// <summary>(Σ g·(x − mean), Σ g) accumulated in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Weighted, double Sum) CenteredSums(ReadOnlySpan<float> g, ReadOnlySpan<float> x, double mean)
    {
        double weighted = 0, sum = 0;
        for (int i = 0; i < g.Length; i++)
        {
            weighted += g[i] * (x[i] - mean);
            sum += g[i];
        }
        return (weighted, sum);
    }

    /// <summary>Per-channel scale and shift with y = x·scale + shift, as ATen folds inference batch norm.</summary>
    private (float[] Scale, float[] Shift) Affine()
    {
        var scale = new float[Channels];
        var shift = new float[Channels];
        var weight = Weight.Value.Data;
        var bias = Bias.Value.Data;
        var mean = RunningMean.Value.Data;
        var variance = RunningVar.Value.Data;
        for (int c = 0; c < Channels; c++)
        {
            double a = weight[c] / Math.Sqrt((double)variance[c] + Eps);
            scale[c] = (float)a;
            shift[c] = (float)(bias[c] - mean[c] * a);
        }
        return (scale, shift);
    }

    public override string ToString() => $"BatchNorm2d({Channels}, eps={Eps})";
}
