namespace EvalHarness.Engine.Tests.Layers;

/// <summary>
/// Slow double-precision layers written straight from the PyTorch documentation, one output element at
/// a time, with no shared code with the engine. Tensors are flat NCHW arrays.
/// </summary>
internal static class Reference
{
    /// <summary>PyTorch's output size: floor((in + 2p − d(k−1) − 1 [+ s − 1 if ceil]) / s) + 1, and a ceil-mode
    /// window may not start in the right padding.</summary>
    public static int OutSize(int input, int k, int s, int p, int d, bool ceil)
    {
        int numerator = input + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
        int o = (int)Math.Floor(numerator / (double)s) + 1;
        if (ceil && (o - 1) * s >= input + p) o--;
        return o;
    }

    /// <summary>torch.nn.Conv2d: y[n,o,i,j] = b[o] + Σ_{c,ki,kj} w[o,c,ki,kj]·x[n, g·Cg + c, i·sh − ph + ki·dh, j·sw − pw + kj·dw].</summary>
    public static double[] Conv2d(double[] x, int n, int cin, int h, int w, double[] weight, double[]? bias, int cout,
        int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int groups, out int oh, out int ow)
    {
        oh = OutSize(h, kh, sh, ph, dh, false);
        ow = OutSize(w, kw, sw, pw, dw, false);
        int cg = cin / groups, mg = cout / groups;
        var y = new double[n * cout * oh * ow];
        for (int b = 0; b < n; b++)
        for (int o = 0; o < cout; o++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            int g = o / mg;
            double s = bias?[o] ?? 0;
            for (int c = 0; c < cg; c++)
            for (int ki = 0; ki < kh; ki++)
            for (int kj = 0; kj < kw; kj++)
            {
                int ih = i * sh - ph + ki * dh, iw = j * sw - pw + kj * dw;
                if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                s += weight[((o * cg + c) * kh + ki) * kw + kj] * x[((b * cin + g * cg + c) * h + ih) * w + iw];
            }
            y[((b * cout + o) * oh + i) * ow + j] = s;
        }
        return y;
    }

    /// <summary>
    /// Gradients of L = Σ r⊙Conv2d(x) by the chain rule applied to the loop above: every product
    /// w·x that fed y[n,o,i,j] sends r[n,o,i,j]·w to x and r[n,o,i,j]·x to w.
    /// </summary>
    public static (double[] Gx, double[] Gw, double[] Gb) Conv2dAdjoint(double[] x, int n, int cin, int h, int w, double[] weight, int cout,
        int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int groups, double[] r)
    {
        int oh = OutSize(h, kh, sh, ph, dh, false), ow = OutSize(w, kw, sw, pw, dw, false);
        int cg = cin / groups, mg = cout / groups;
        var gx = new double[x.Length];
        var gw = new double[weight.Length];
        var gb = new double[cout];
        for (int b = 0; b < n; b++)
        for (int o = 0; o < cout; o++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            int g = o / mg;
            double ry = r[((b * cout + o) * oh + i) * ow + j];
            gb[o] += ry;
            for (int c = 0; c < cg; c++)
            for (int ki = 0; ki < kh; ki++)
            for (int kj = 0; kj < kw; kj++)
            {
                int ih = i * sh - ph + ki * dh, iw = j * sw - pw + kj * dw;
                if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                int xi = ((b * cin + g * cg + c) * h + ih) * w + iw, wi = ((o * cg + c) * kh + ki) * kw + kj;
                gx[xi] += ry * weight[wi];
                gw[wi] += ry * x[xi];
            }
        }
        return (gx, gw, gb);
    }

    /// <summary>torch.nn.MaxPool2d: the maximum over the window, the padding being −∞.</summary>
    public static double[] MaxPool2d(double[] x, int planes, int h, int w, int k, int s, int p, int d, bool ceil, out int oh, out int ow)
    {
        oh = OutSize(h, k, s, p, d, ceil);
        ow = OutSize(w, k, s, p, d, ceil);
        var y = new double[planes * oh * ow];
        for (int c = 0; c < planes; c++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            double m = double.NegativeInfinity;
            for (int ki = 0; ki < k; ki++)
            for (int kj = 0; kj < k; kj++)
            {
                int ih = i * s - p + ki * d, iw = j * s - p + kj * d;
                double v = ih < 0 || ih >= h || iw < 0 || iw >= w ? double.NegativeInfinity : x[(c * h + ih) * w + iw];
                m = Math.Max(m, v);
            }
            y[(c * oh + i) * ow + j] = m;
        }
        return y;
    }

    /// <summary>
    /// torch.nn.AvgPool2d: the sum over the window's input pixels divided by the number of window
    /// positions inside the padded image (count_include_pad) or inside the image (otherwise); positions
    /// of a ceil-mode window beyond the padded image never count.
    /// </summary>
    public static double[] AvgPool2d(double[] x, int planes, int h, int w, int k, int s, int p, bool ceil, bool countIncludePad, out int oh, out int ow)
    {
        oh = OutSize(h, k, s, p, 1, ceil);
        ow = OutSize(w, k, s, p, 1, ceil);
        var y = new double[planes * oh * ow];
        for (int c = 0; c < planes; c++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            double sum = 0;
            int inPadded = 0, inImage = 0;
            for (int ki = 0; ki < k; ki++)
            for (int kj = 0; kj < k; kj++)
            {
                int ih = i * s - p + ki, iw = j * s - p + kj;
                if (ih >= -p && ih < h + p && iw >= -p && iw < w + p) inPadded++;
                if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                inImage++;
                sum += x[(c * h + ih) * w + iw];
            }
            y[(c * oh + i) * ow + j] = inImage == 0 ? 0 : sum / (countIncludePad ? inPadded : inImage);
        }
        return y;
    }

    /// <summary>torch.nn.AdaptiveAvgPool2d: cell (i, j) averages rows [⌊iH/oh⌋, ⌈(i+1)H/oh⌉) × columns likewise.</summary>
    public static double[] AdaptiveAvgPool2d(double[] x, int planes, int h, int w, int oh, int ow)
    {
        var y = new double[planes * oh * ow];
        for (int c = 0; c < planes; c++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            int h0 = (int)Math.Floor(i * (double)h / oh), h1 = (int)Math.Ceiling((i + 1) * (double)h / oh);
            int w0 = (int)Math.Floor(j * (double)w / ow), w1 = (int)Math.Ceiling((j + 1) * (double)w / ow);
            double sum = 0;
            for (int r = h0; r < h1; r++)
            for (int q = w0; q < w1; q++)
                sum += x[(c * h + r) * w + q];
            y[(c * oh + i) * ow + j] = sum / ((h1 - h0) * (w1 - w0));
        }
        return y;
    }

    /// <summary>torch.nn.BatchNorm2d in eval mode: (x − mean)/sqrt(var + eps)·weight + bias per channel.</summary>
    public static double[] BatchNorm2d(double[] x, int n, int channels, int plane, double[] weight, double[] bias, double[] mean, double[] variance, double eps)
    {
        var y = new double[x.Length];
        for (int b = 0; b < n; b++)
        for (int c = 0; c < channels; c++)
        for (int i = 0; i < plane; i++)
        {
            int at = (b * channels + c) * plane + i;
            y[at] = (x[at] - mean[c]) / Math.Sqrt(variance[c] + eps) * weight[c] + bias[c];
        }
        return y;
    }

    /// <summary>torch.nn.Linear: y[n,o] = b[o] + Σ_i W[o,i]·x[n,i].</summary>
    public static double[] Linear(double[] x, int n, int inFeatures, double[] weight, double[]? bias, int outFeatures)
    {
        var y = new double[n * outFeatures];
        for (int b = 0; b < n; b++)
        for (int o = 0; o < outFeatures; o++)
        {
            double s = bias?[o] ?? 0;
            for (int i = 0; i < inFeatures; i++) s += weight[o * inFeatures + i] * x[b * inFeatures + i];
            y[b * outFeatures + o] = s;
        }
        return y;
    }

    public static double[] ReLU(double[] x) => Array.ConvertAll(x, v => v > 0 ? v : 0);

    public static double[] ReLU6(double[] x) => Array.ConvertAll(x, v => Math.Min(Math.Max(v, 0), 6));

    /// <summary>softmax(x)[n, c] = exp(x[n,c]) / Σ_k exp(x[n,k]).</summary>
    public static double[] Softmax(double[] x, int n, int classes)
    {
        var y = new double[x.Length];
        for (int b = 0; b < n; b++)
        {
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.Exp(x[b * classes + c]);
            for (int c = 0; c < classes; c++) y[b * classes + c] = Math.Exp(x[b * classes + c]) / sum;
        }
        return y;
    }

    /// <summary>log_softmax(x)[n, c] = x[n,c] − log Σ_k exp(x[n,k]).</summary>
    public static double[] LogSoftmax(double[] x, int n, int classes)
    {
        var y = new double[x.Length];
        for (int b = 0; b < n; b++)
        {
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.Exp(x[b * classes + c]);
            for (int c = 0; c < classes; c++) y[b * classes + c] = x[b * classes + c] - Math.Log(sum);
        }
        return y;
    }

    /// <summary>torch.nn.CrossEntropyLoss (mean): (1/N) Σ_n −log_softmax(x)[n, t_n].</summary>
    public static double CrossEntropy(double[] x, int n, int classes, int[] targets)
    {
        var logp = LogSoftmax(x, n, classes);
        double loss = 0;
        for (int b = 0; b < n; b++) loss -= logp[b * classes + targets[b]];
        return loss / n;
    }
}
