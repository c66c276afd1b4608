namespace EvalHarness.Engine.Imaging;

/// <summary>
/// Source indices and float32 weights along one axis for each output index (KSize taps each; unused
/// taps have weight 0), computed the way PyTorch's CPU upsampling kernels compute them.
/// </summary>
internal sealed class WindowTaps
{
    private WindowTaps(int ksize, int[] index, float[] weights)
    {
        KSize = ksize;
        Index = index;
        Weights = weights;
    }

    public int KSize { get; }

    public int[] Index { get; }

    public float[] Weights { get; }

    public void MarkUsed(Span<bool> used)
    {
        for (int i = 0; i < Index.Length; i++) used[Index[i]] = true;
    }

    /// <summary>
    /// align_corners=False bilinear (ATen UpSample.h area_pixel_compute_source_index and
    /// compute_source_index_and_lambda): src = max(scale·(i + ½) − ½, 0) with scale = in/out in float32
    /// and the source position in double, as PyTorch 1.13's CPU kernel evaluates it (matches its output
    /// to within one float32 ulp).
    /// </summary>
    public static WindowTaps Linear(int inSize, int outSize)
    {
        float scale = (float)inSize / outSize;
        var index = new int[outSize * 2];
        var weights = new float[outSize * 2];
        for (int i = 0; i < outSize; i++)
        {
            double real = scale * (i + 0.5) - 0.5;
            if (real < 0) real = 0;
            int i0 = (int)real;
            int offset = i0 < inSize - 1 ? 1 : 0;
            float l1 = (float)Math.Min(Math.Max(real - i0, 0.0), 1.0);
            index[2 * i] = i0;
            index[2 * i + 1] = i0 + offset;
            weights[2 * i] = 1f - l1;
            weights[2 * i + 1] = l1;
        }
        return new WindowTaps(2, index, weights);
    }

    /// <summary>
    /// align_corners=True bilinear (torch.nn.UpsamplingBilinear2d): src = i·(in − 1)/(out − 1), the
    /// scale in float32 as ATen's area_pixel_compute_scale computes it; a single output sits at index 0.
    /// </summary>
    public static WindowTaps LinearAlignCorners(int inSize, int outSize)
    {
        float scale = outSize > 1 ? (float)(inSize - 1) / (outSize - 1) : 0f;
        var index = new int[outSize * 2];
        var weights = new float[outSize * 2];
        for (int i = 0; i < outSize; i++)
        {
            double real = scale * (double)i;
            int i0 = Math.Min((int)real, inSize - 1);
            int offset = i0 < inSize - 1 ? 1 : 0;
            float l1 = (float)Math.Min(Math.Max(real - i0, 0.0), 1.0);
            index[2 * i] = i0;
            index[2 * i + 1] = i0 + offset;
            weights[2 * i] = 1f - l1;
            weights[2 * i + 1] = l1;
        }
        return new WindowTaps(2, index, weights);
    }

    /// <summary>
    /// antialias=True bilinear (ATen UpSampleKernel.cpp _compute_weights_aa, the same scheme as Pillow's
    /// resampling): a triangle filter of support max(scale, 1) centred at scale·(i + ½), weights
    /// normalised to sum 1.
    /// </summary>
    public static WindowTaps Antialiased(int inSize, int outSize)
    {
        float scale = (float)inSize / outSize;
        float support = scale >= 1f ? scale : 1f;
        float invScale = scale >= 1f ? 1f / scale : 1f;
        int ksize = (int)MathF.Ceiling(support) * 2 + 1;
        var index = new int[outSize * ksize];
        var weights = new float[outSize * ksize];
        for (int i = 0; i < outSize; i++)
        {
            float center = scale * (i + 0.5f);
            int xmin = Math.Max((int)((double)(center - support) + 0.5), 0);
            int xsize = Math.Min((int)((double)(center + support) + 0.5), inSize) - xmin;
            float total = 0f;
            int o = i * ksize;
            for (int j = 0; j < ksize; j++)
            {
                index[o + j] = j < xsize ? xmin + j : xmin;
                if (j >= xsize) continue;
                float w = Triangle((float)(((double)((float)(j + xmin) - center) + 0.5) * invScale));
                weights[o + j] = w;
                total += w;
            }
            if (total != 0f)
                for (int j = 0; j < xsize; j++) weights[o + j] /= total;
        }
        return new WindowTaps(ksize, index, weights);
    }

    private static float Triangle(float x)
    {
        if (x < 0f) x = -x;
        return x < 1f ? 1f - x : 0f;
    }
}
