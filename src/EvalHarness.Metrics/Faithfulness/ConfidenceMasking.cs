using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;

namespace EvalHarness.Metrics.Faithfulness;

/// <summary>
/// How Average Drop / Increase mask the image with the map (Chattopadhay et al. 2018 §5.1, Score-CAM
/// §4.2: "the explanation map region as input", raw pixels × map, then normalise).
/// Masking: <c>soft</c> multiplies by the map scaled to [0, 1]; <c>top-fraction</c> keeps the top
/// <c>fraction</c> of pixels by saliency (⌈fraction·H·W⌉, ties by index) and zeros the rest.
/// Pixel space: <c>raw</c> un-normalises with the preprocessing's mean and std, multiplies, and
/// normalises again — x' = ((x·σ + μ)·m − μ)/σ per channel; <c>normalized</c> multiplies the
/// normalised tensor (x' = x·m, as torch-cam and pytorch-grad-cam do); <c>auto</c> is raw when the
/// preprocessing is known and normalized otherwise (the protocol line says which was used).
/// Map scaling: <c>minmax</c> (m − min)/(max − min), a constant map becomes zeros; <c>none</c> uses the
/// map as given and declares images whose map leaves [0, 1] not defined.
/// </summary>
public sealed class ConfidenceMasking
{
    public const string Soft = "soft";
    public const string TopFraction = "top-fraction";
    public const string Auto = "auto";
    public const string Raw = "raw";
    public const string Normalized = "normalized";
    public const string MinMax = "minmax";
    public const string None = "none";

    public ConfidenceMasking(string masking = Soft, double fraction = 0.5, string pixelSpace = Auto, string mapScaling = MinMax)
    {
        Masking = Pick("masking mode", masking, Soft, TopFraction);
        PixelSpace = Pick("pixel space", pixelSpace, Auto, Raw, Normalized);
        MapScaling = Pick("map scaling", mapScaling, MinMax, None);
        if (!(fraction > 0 && fraction <= 1)) throw new EvalHarnessException($"The kept fraction must be in (0, 1], got {fraction}.");
        Fraction = fraction;
    }

    public string Masking { get; }

    public double Fraction { get; }

    public string PixelSpace { get; }

    public string MapScaling { get; }

    public static ConfidenceMasking FromParameters(MethodParameters p) => new(
        p.Choice("masking", Soft, Soft, TopFraction), p.Double("fraction", 0.5, 1e-9, 1),
        p.Choice("pixel_space", Auto, Auto, Raw, Normalized), p.Choice("map_scaling", MinMax, MinMax, None));

    /// <summary>True when masking happens on raw pixels for this preprocessing (throws when raw is required but unknown).</summary>
    public bool UsesRawPixels(Preprocessing? preprocessing, int channels, string metric)
    {
        if (PixelSpace == Normalized) return false;
        if (preprocessing is null)
        {
            if (PixelSpace == Raw)
                throw new EvalHarnessException($"Metric '{metric}' masks raw pixels (pixel_space: raw) but the context has no preprocessing to un-normalise with; " +
                    "give the model's preprocessing or use pixel_space: normalized.");
            return false;
        }
        if (preprocessing.Mean.Count != channels || preprocessing.Std.Count != channels)
            throw new ShapeException($"Metric '{metric}': the preprocessing has {preprocessing.Mean.Count} means and {preprocessing.Std.Count} stds for images of {channels} channels.");
        return true;
    }

    public string Describe(bool raw, Preprocessing? preprocessing) =>
        (Masking == Soft ? "soft masking by the map" : FormattableString.Invariant($"top-fraction masking (top ⌈{Fraction}·H·W⌉ pixels kept, rest zero)")) +
        (MapScaling == MinMax ? " min-max scaled to [0, 1]" : " as given (must lie in [0, 1])") +
        (raw ? $", on raw pixels: x' = ((x·std + mean)·m − mean)/std, mean [{Join(preprocessing!.Mean)}], std [{Join(preprocessing.Std)}]"
             : ", in normalised space: x' = x·m" + (PixelSpace == Auto ? " (no preprocessing given)" : ""));

    /// <summary>The H·W mask of one map, or a reason why the map cannot mask.</summary>
    public string? Mask(ReadOnlySpan<float> map, Span<float> mask)
    {
        if (Masking == TopFraction)
        {
            mask.Clear();
            int keep = (int)Math.Min(map.Length, Math.Ceiling(Fraction * map.Length - 1e-9));
            var order = SaliencyOrder.Descending(map);
            for (int r = 0; r < keep; r++) mask[order[r]] = 1f;
            return null;
        }
        if (MapScaling == None)
        {
            foreach (float v in map)
                if (v < 0 || v > 1) return $"map value {v} lies outside [0, 1] (map_scaling: none)";
            map.CopyTo(mask);
            return null;
        }
        float min = System.Numerics.Tensors.TensorPrimitives.Min(map), max = System.Numerics.Tensors.TensorPrimitives.Max(map);
        if (max <= min)
        {
            mask.Clear();
            return null;
        }
        double range = (double)max - min;
        for (int i = 0; i < map.Length; i++) mask[i] = (float)((map[i] - (double)min) / range);
        return null;
    }

    /// <summary>Writes the masked C×H×W image.</summary>
    public static void Apply(ReadOnlySpan<float> image, ReadOnlySpan<float> mask, Span<float> destination, int channels, bool raw, Preprocessing? preprocessing)
    {
        int plane = mask.Length;
        for (int c = 0; c < channels; c++)
        {
            var src = image.Slice(c * plane, plane);
            var dst = destination.Slice(c * plane, plane);
            if (!raw)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(src, mask, dst);
                continue;
            }
            // raw pixels × map, then normalise: ((x·σ + μ)·m − μ)/σ = x·m + (m − 1)·μ/σ, a form that gives x
            // exactly where m = 1 (so an all-ones map leaves O = Y) and the black pixel −μ/σ where m = 0
            float shift = preprocessing!.Mean[c] / preprocessing.Std[c];
            for (int i = 0; i < plane; i++) dst[i] = src[i] * mask[i] + (mask[i] - 1) * shift;
        }
    }

    private static string Join(IReadOnlyList<float> values) =>
        string.Join(", ", values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));

    private static string Pick(string what, string value, params string[] valid) =>
        Array.Find(valid, v => v.Equals(value, StringComparison.OrdinalIgnoreCase))
        ?? throw new UnknownNameException(NameMatcher.UnknownMessage(what, value, valid));
}
