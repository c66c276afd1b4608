using System.Runtime.CompilerServices;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Engine.Nn.Training;

/// <summary>
/// torch.nn.BatchNorm2d in training mode, sharing the parameters and buffers of an inference
/// <see cref="BatchNorm2d"/>: y = (x − μ_B)/sqrt(σ²_B + eps)·weight + bias with the batch's per-channel
/// mean and biased variance (Ioffe &amp; Szegedy 2015, Alg. 1), and each forward call updates
/// running_mean ← (1 − m)·running_mean + m·μ_B and running_var ← (1 − m)·running_var + m·σ²_B·n/(n − 1)
/// (torch's momentum m = 0.1, unbiased variance in the running estimate). Statistics are summed in
/// double in a fixed order, so results do not depend on threading.
/// </summary>
public sealed class TrainingBatchNorm2d : Layer
{
    public TrainingBatchNorm2d(BatchNorm2d inference, float momentum = 0.1f)
    {
        ArgumentNullException.ThrowIfNull(inference);
        Inference = inference;
        Momentum = momentum;
    }

    public BatchNorm2d Inference { get; }

    public float Momentum { get; }

    public override string Kind => "BatchNorm2d";

    public override IEnumerable<(string Name, Parameter Parameter)> Parameters() => Inference.Parameters();

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes) => Inference.OutputShape(inputShapes);

    public override Tensor Forward(IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var shape = OutputShape([x.ShapeArray]);
        int batch = shape[0], channels = shape[1], plane = shape[2] * shape[3];
        long count = (long)batch * plane;
        if (count < 2)
            throw new ShapeException($"{this} in training mode needs more than one value per channel (input {x.ShapeString}), as torch does.");
        var y = Tensor.Uninitialized(shape);
        var weight = Inference.Weight.Value.Data;
        var bias = Inference.Bias.Value.Data;
        var runningMean = Inference.RunningMean.Value.Data;
        var runningVar = Inference.RunningVar.Value.Data;
        for (int c = 0; c < channels; c++)
        {
            var (mean, variance) = Moments(x.Data, batch, channels, c, plane);
            double invStd = 1.0 / Math.Sqrt(variance + Inference.Eps);
            float scale = (float)(weight[c] * invStd), shift = (float)(bias[c] - mean * weight[c] * invStd);
            for (int n = 0; n < batch; n++)
            {
                int offset = (n * channels + c) * plane;
                var src = x.Data.AsSpan(offset, plane);
                var dst = y.Data.AsSpan(offset, plane);
                for (int i = 0; i < plane; i++) dst[i] = src[i] * scale + shift;
            }
            runningMean[c] = (float)((1 - Momentum) * runningMean[c] + Momentum * mean);
            runningVar[c] = (float)((1 - Momentum) * runningVar[c] + Momentum * variance * count / (count - 1));
        }
        return y;
    }

    /// <summary>
    /// With x̂ = (x − μ)/σ and g the output gradient: ∂L/∂x = weight/σ · (g − mean(g) − x̂·mean(g·x̂)),
    /// ∂L/∂weight = Σ g·x̂, ∂L/∂bias = Σ g (the batch statistics are recomputed from the input).
    /// </summary>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
    {
        var x = inputs[0];
        var shape = OutputShape([x.ShapeArray]);
        LayerChecks.SameShape(this, "the output gradient", gradOutput, shape);
        int batch = shape[0], channels = shape[1], plane = shape[2] * shape[3];
        long count = (long)batch * plane;
        bool wantInput = needInput.Count == 0 || needInput[0];
        var gx = wantInput ? Tensor.Uninitialized(x.ShapeArray) : null;
        var weight = Inference.Weight.Value.Data;
        float[]? gw = null, gb = null;
        if (parameterGradients)
        {
            Inference.Weight.Grad ??= new Tensor(Inference.Weight.Value.ShapeArray);
            Inference.Bias.Grad ??= new Tensor(Inference.Bias.Value.ShapeArray);
            gw = Inference.Weight.Grad.Data;
            gb = Inference.Bias.Grad.Data;
        }
        var g = gradOutput.Data;
        for (int c = 0; c < channels; c++)
        {
            var (mean, variance) = Moments(x.Data, batch, channels, c, plane);
            double invStd = 1.0 / Math.Sqrt(variance + Inference.Eps);
            double sumG = 0, sumGx = 0; // Σ g and Σ g·(x − μ)
            for (int n = 0; n < batch; n++)
            {
                int offset = (n * channels + c) * plane;
                var (a, b) = Sums(g.AsSpan(offset, plane), x.Data.AsSpan(offset, plane), mean);
                sumG += b;
                sumGx += a;
            }
            if (gw != null)
            {
                gw[c] += (float)(sumGx * invStd);
                gb![c] += (float)sumG;
            }
            if (gx == null) continue;
            double meanG = sumG / count, k = sumGx * invStd * invStd / count;
            float a1 = (float)(weight[c] * invStd);
            for (int n = 0; n < batch; n++)
            {
                int offset = (n * channels + c) * plane;
                for (int i = 0; i < plane; i++)
                    gx.Data[offset + i] = (float)(a1 * (g[offset + i] - meanG - (x.Data[offset + i] - mean) * k));
            }
        }
        return [gx];
    }

    /// <summary>Mean and biased variance of channel c over batch and plane, two-pass in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Mean, double Variance) Moments(float[] x, int batch, int channels, int c, int plane)
    {
        double sum = 0;
        for (int n = 0; n < batch; n++)
        {
            int offset = (n * channels + c) * plane;
            for (int i = 0; i < plane; i++) sum += x[offset + i];
        }
        long count = (long)batch * plane;
        double mean = sum / count, squares = 0;
        for (int n = 0; n < batch; n++)
        {
            int offset = (n * channels + c) * plane;
            for (int i = 0; i < plane; i++)
            {
                double d = x[offset + i] - mean;
                squares += d * d;
            }
        }
        return (mean, squares / count);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Weighted, double Sum) Sums(ReadOnlySpan<float> g, ReadOnlySpan<float> x, double mean)
    {
        double weighted = 0, sum = 0;
        for (int i = 0; i < g.Length; i++)
        {
            weighted += g[i] * (x[i] - mean);
            sum += g[i];
        }
        return (weighted, sum);
    }

    public override string ToString() => $"BatchNorm2d({Inference.Channels}, eps={Inference.Eps}, momentum={Momentum}, training)";
}
