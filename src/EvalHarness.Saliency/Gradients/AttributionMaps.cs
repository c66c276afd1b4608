using System.Numerics.Tensors;
using EvalHarness.Engine;
using Tensor = EvalHarness.Engine.Tensor;

namespace EvalHarness.Saliency.Gradients;

/// <summary>
/// From an N×C×H×W attribution to an N×H×W map. Every reduction gives non-negative values; the map is
/// then divided by its maximum (an all-zero map stays all zeros, never NaN), so it lies in [0, 1] with 0
/// meaning "no attribution". Reductions:
/// <list type="bullet">
/// <item><c>abs-max</c>: max_c |a_c| (Simonyan et al. 2014 §3.1; TorchRay's gradient_to_saliency).</item>
/// <item><c>abs-sum</c>: |Σ_c a_c| (captum's visualize_image_attr sign="absolute_value" of the channel sum).</item>
/// <item><c>sum-abs</c>: Σ_c |a_c|.</item>
/// <item><c>positive-sum</c>: max(0, Σ_c a_c) (evidence for the class only).</item>
/// </list>
/// </summary>
public static class AttributionMaps
{
    public static readonly IReadOnlyList<string> Reductions = ["abs-max", "abs-sum", "sum-abs", "positive-sum"];

    /// <summary>The canonical name of a reduction; an unknown one is an error naming the valid ones.</summary>
    public static string CheckReduction(string reduction, string method)
    {
        var r = reduction.Trim().ToLowerInvariant();
        if (!Reductions.Contains(r))
            throw new UnknownNameException(NameMatcher.UnknownMessage($"map reduction of method '{method}'", reduction, Reductions.ToList()));
        return r;
    }

    /// <summary>N×C×H×W → N×H×W by <paramref name="reduction"/> over channels.</summary>
    public static Tensor Reduce(Tensor attribution, string reduction)
    {
        if (attribution.Rank != 4) throw new ShapeException($"An attribution must be N×C×H×W, got {attribution.ShapeString}.");
        int n = attribution.N, c = attribution.C, plane = attribution.H * attribution.W;
        var map = new Tensor(n, attribution.H, attribution.W);
        var scratch = new float[plane];
        for (int b = 0; b < n; b++)
        {
            var dst = map.Sample(b);
            for (int ch = 0; ch < c; ch++)
            {
                var src = attribution.Data.AsSpan((b * c + ch) * plane, plane);
                switch (reduction)
                {
                    case "abs-max":
                        TensorPrimitives.Abs(src, scratch);
                        TensorPrimitives.Max(dst, scratch, dst); // dst starts at 0 ≤ |a|
                        break;
                    case "sum-abs":
                        TensorPrimitives.Abs(src, scratch);
                        TensorPrimitives.Add(dst, scratch, dst);
                        break;
                    case "abs-sum":
                    case "positive-sum":
                        TensorPrimitives.Add(dst, src, dst);
                        break;
                    default:
                        throw new UnknownNameException(NameMatcher.UnknownMessage("map reduction", reduction, Reductions.ToList()));
                }
            }
            if (reduction == "abs-sum") TensorPrimitives.Abs(dst, dst);
            else if (reduction == "positive-sum") TensorPrimitives.Max(dst, 0f, dst);
        }
        return map;
    }

    /// <summary>Each non-negative map divided by its maximum; an all-zero map stays zero. Returns a new tensor.</summary>
    public static Tensor NormalizeByMax(Tensor maps)
    {
        var result = maps.Clone();
        for (int b = 0; b < result.N; b++)
        {
            var m = result.Sample(b);
            float max = TensorPrimitives.Max(m);
            if (max > 0 && float.IsFinite(max)) TensorPrimitives.Divide(m, max, m);
            else m.Clear();
        }
        return result;
    }

    /// <summary>
    /// The result of a method whose attribution is N×C×H×W: Maps = normalised reduction,
    /// Extras["attribution"] = the raw attribution, Extras["raw_map"] = the reduction before normalisation.
    /// </summary>
    public static SaliencyResult Result(Tensor attribution, string reduction, IReadOnlyDictionary<string, Tensor>? more = null)
    {
        var raw = Reduce(attribution, reduction);
        var extras = new Dictionary<string, Tensor>(StringComparer.Ordinal) { ["attribution"] = attribution, ["raw_map"] = raw };
        if (more != null) foreach (var (k, v) in more) extras[k] = v;
        return new SaliencyResult { Maps = NormalizeByMax(raw), Extras = extras };
    }
}
