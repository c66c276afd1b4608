using EvalHarness.Engine;

namespace EvalHarness.Saliency;

/// <summary>Operations on batches of 2-D maps (N×h×w).</summary>
public static class MapOps
{
    /// <summary>
    /// pytorch-grad-cam's scale_cam_image per map: x − min, then ÷ (max + 1e-7). A constant map becomes
    /// all zeros (never NaN). In place.
    /// </summary>
    public static void MinMaxNormalizeInPlace(Tensor maps)
    {
        for (int n = 0; n < maps.N; n++)
        {
            var m = maps.Sample(n);
            float min = System.Numerics.Tensors.TensorPrimitives.Min(m);
            System.Numerics.Tensors.TensorPrimitives.Subtract(m, min, m);
            float max = System.Numerics.Tensors.TensorPrimitives.Max(m);
            System.Numerics.Tensors.TensorPrimitives.Divide(m, max + 1e-7f, m);
        }
    }

    public static void ReluInPlace(Tensor maps) =>
        System.Numerics.Tensors.TensorPrimitives.Max(maps.Data, 0f, maps.Data);

    /// <summary>raw[n] = Σ_k weights[n,k]·A[n,k] for activations N×K×h×w and weights N×K → N×h×w.</summary>
    public static Tensor WeightedSum(Tensor activations, Tensor weights)
    {
        int n = activations.N, k = activations.C, hw = activations.H * activations.W;
        if (weights.Rank != 2 || weights.N != n || weights.Dim(1) != k)
            throw new ShapeException($"Channel weights {weights.ShapeString} do not fit activations {activations.ShapeString}.");
        var raw = new Tensor(n, activations.H, activations.W);
        for (int b = 0; b < n; b++)
        {
            var dst = raw.Sample(b);
            for (int c = 0; c < k; c++)
            {
                float w = weights[b, c];
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(activations.Data.AsSpan((b * k + c) * hw, hw), w, dst, dst);
            }
        }
        return raw;
    }

    /// <summary>Bilinear resize with half-pixel centres (torch interpolate align_corners=False, no antialias; cv2 INTER_LINEAR when enlarging).</summary>
    public static Tensor ResizeBilinear(Tensor maps, int height, int width)
    {
        var four = maps.Reshape(maps.N, 1, maps.Dim(1), maps.Dim(2));
        return Engine.Imaging.Resize.Interpolate(four, height, width).Reshape(maps.N, height, width);
    }

    /// <summary>The CAM post-processing: ReLU, min-max at layer resolution, upsample to H×W, min-max again.</summary>
    public static Tensor CamToInputResolution(Tensor raw, int height, int width)
    {
        var low = raw.Clone();
        ReluInPlace(low);
        MinMaxNormalizeInPlace(low);
        var maps = ResizeBilinear(low, height, width);
        MinMaxNormalizeInPlace(maps);
        return maps;
    }
}
