using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Nn.Graph;

namespace EvalHarness.Metrics.Tests;

/// <summary>
/// Definition-following re-implementations: one image and one forward pass at a time, double
/// precision where it matters, no batching, no incremental state.
/// </summary>
internal static class SlowReference
{
    /// <summary>scipy.ndimage's 'reflect' line extension, built the way ni_support.c builds it (copying outwards).</summary>
    public static double[] ExtendReflect(double[] line, int before, int after)
    {
        int n = line.Length;
        var buf = new double[before + n + after];
        Array.Copy(line, 0, buf, before, n);
        int first = before, last = before + n;
        int dst = first - 1, src = first, left = before;
        while (left > 0 && src < last) { buf[dst--] = buf[src++]; left--; }
        src = last - 1;
        while (left-- > 0) buf[dst--] = buf[src--];
        dst = last;
        src = last - 1;
        left = after;
        while (left > 0 && src >= first) { buf[dst++] = buf[src--]; left--; }
        src = first;
        while (left-- > 0) buf[dst++] = buf[src++];
        return buf;
    }

    /// <summary>gaussian_filter1d(delta at size/2, σ, truncate 4, mode reflect).</summary>
    public static double[] RiseKernel1D(int size, double sigma)
    {
        int r = (int)(4 * sigma + 0.5);
        var w = Enumerable.Range(-r, 2 * r + 1).Select(j => Math.Exp(-0.5 * j * j / (sigma * sigma))).ToArray();
        double s = w.Sum();
        var delta = new double[size];
        delta[size / 2] = 1;
        var ext = ExtendReflect(delta, r, r);
        var k = new double[size];
        for (int i = 0; i < size; i++)
            for (int j = 0; j < w.Length; j++) k[i] += w[j] / s * ext[i + j];
        return k;
    }

    /// <summary>torch conv2d with the 2-D kernel outer(k, k), padding size/2 (zeros), per channel, in double.</summary>
    public static float[] Blur(ReadOnlySpan<float> image, int channels, int height, int width, int size = 11, double sigma = 5)
    {
        var k = RiseKernel1D(size, sigma);
        int r = size / 2;
        var output = new float[image.Length];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double s = 0;
                    for (int a = 0; a < size; a++)
                        for (int b = 0; b < size; b++)
                        {
                            int yy = y + a - r, xx = x + b - r;
                            if (yy >= 0 && yy < height && xx >= 0 && xx < width) s += (float)(k[a] * k[b]) * (double)image[(c * height + yy) * width + xx];
                        }
                    output[(c * height + y) * width + x] = (float)s;
                }
        return output;
    }

    public static double Score(Graph g, float[] image, int[] shape, int target, bool probability)
    {
        var logits = g.Forward(Tensor.FromArray(image, [1, .. shape]), recordForBackward: false).Output;
        return probability ? TestNets.Softmax(logits.Data, target) : logits.Data[target];
    }

    /// <summary>RISE's CausalMetric.single_run for one image with a fixed step (or a step count), scored one step at a time.</summary>
    public static (double Auc, double[] Scores) Causal(Graph g, Tensor images, int n, int target, ReadOnlySpan<float> map, bool insertion,
        float[] substrate, int step, int steps = 0, bool probability = true)
    {
        int c = images.C, h = images.H, w = images.W, hw = h * w;
        var x = images.Sample(n).ToArray();
        var values = map.ToArray();
        var order = Enumerable.Range(0, hw).OrderByDescending(i => values[i]).ThenBy(i => i).ToArray();
        var bounds = steps > 0
            ? Enumerable.Range(0, steps + 1).Select(i => (int)((long)i * hw / steps)).ToArray()
            : Enumerable.Range(0, (hw + step - 1) / step + 1).Select(i => Math.Min(i * step, hw)).ToArray();
        var scores = new double[bounds.Length];
        for (int i = 0; i < bounds.Length; i++)
        {
            var start = insertion ? (float[])substrate.Clone() : (float[])x.Clone();
            var finish = insertion ? x : substrate;
            for (int rank = 0; rank < bounds[i]; rank++)
                for (int ch = 0; ch < c; ch++) start[ch * hw + order[rank]] = finish[ch * hw + order[rank]];
            scores[i] = Score(g, start, [c, h, w], target, probability);
        }
        int nSteps = scores.Length - 1;
        double auc = 0;
        for (int i = 0; i < nSteps; i++) auc += (scores[i] + scores[i + 1]) / 2 / nSteps; // trapezoids of width 1/n
        return (auc, scores);
    }

    /// <summary>Y and O of Average Drop for one image with soft masking by the min-max scaled map.</summary>
    public static (double Y, double O) Confidence(Graph g, Tensor images, int n, int target, ReadOnlySpan<float> map, Preprocessing? raw)
    {
        int c = images.C, h = images.H, w = images.W, hw = h * w;
        var x = images.Sample(n).ToArray();
        double min = double.MaxValue, max = double.MinValue;
        foreach (float v in map)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        var masked = new float[x.Length];
        for (int ch = 0; ch < c; ch++)
            for (int p = 0; p < hw; p++)
            {
                double m = max > min ? (map[p] - min) / (max - min) : 0;
                double v = x[ch * hw + p];
                masked[ch * hw + p] = raw is null ? (float)(v * m)
                    : (float)(((v * raw.Std[ch] + raw.Mean[ch]) * m - raw.Mean[ch]) / raw.Std[ch]);
            }
        return (Score(g, x, [c, h, w], target, true), Score(g, masked, [c, h, w], target, true));
    }
}
