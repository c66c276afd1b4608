using EvalHarness.Engine;

namespace EvalHarness.Metrics.Faithfulness;

/// <summary>
/// What deleted pixels become (deletion) or what inserted pixels are copied into (insertion), in the
/// normalised input space: zero (RISE's deletion: torch.zeros_like), blur (RISE's insertion, see
/// <see cref="GaussianBlur"/>), mean (each channel's mean over the image), noise (standard normal,
/// seeded per image).
/// </summary>
public sealed class Substrate
{
    public const string Zero = "zero";
    public const string Blur = "blur";
    public const string Mean = "mean";
    public const string Noise = "noise";

    public static readonly string[] Kinds = [Zero, Blur, Mean, Noise];

    private readonly GaussianBlur? _blur;

    public Substrate(string kind, int blurSize = 11, double blurSigma = 5)
    {
        Kind = Array.Find(Kinds, k => k.Equals(kind, StringComparison.OrdinalIgnoreCase))
            ?? throw new UnknownNameException(NameMatcher.UnknownMessage("substrate", kind, Kinds));
        if (Kind == Blur) _blur = new GaussianBlur(blurSize, blurSigma);
    }

    public string Kind { get; }

    public string Description => Kind switch
    {
        Blur => FormattableString.Invariant($"Gaussian blur (kernel {_blur!.Size}, σ {_blur.Sigma}; scipy reflect-folded kernel, zero padding as RISE)"),
        Zero => "zeros in normalised space",
        Mean => "per-channel image mean in normalised space",
        _ => "standard normal noise in normalised space (seeded per image)",
    };

    /// <summary>Fills <paramref name="destination"/> with the substrate of one C×H×W image.</summary>
    /// <param name="rng">The image's random stream (used by noise only).</param>
    public void Fill(ReadOnlySpan<float> image, Span<float> destination, int channels, int height, int width, Func<Rng> rng)
    {
        int plane = height * width;
        switch (Kind)
        {
            case Zero:
                destination.Clear();
                break;
            case Blur:
                _blur!.Apply(image, destination, channels, height, width);
                break;
            case Mean:
                for (int c = 0; c < channels; c++)
                {
                    var src = image.Slice(c * plane, plane);
                    double sum = 0;
                    foreach (float v in src) sum += v;
                    destination.Slice(c * plane, plane).Fill((float)(sum / plane));
                }
                break;
            default:
                var r = rng();
                for (int i = 0; i < channels * plane; i++) destination[i] = (float)r.NextGaussian();
                break;
        }
    }
}
