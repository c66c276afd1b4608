namespace EvalHarness.Cli;

/// <summary>
/// A perceptually ordered colour map for saliency overlays, from dark violet through blue, teal and
/// green to light yellow. It is defined in the OKLab colour space (Ottosson 2020, "A perceptual colour
/// space for image processing"): lightness rises linearly from 0.30 to 0.95, so a higher value always
/// looks lighter; the hue turns from 290° to 100°; the chroma is the largest up to 0.16 that stays
/// inside the sRGB gamut (found by bisection), so no channel is clipped.
/// </summary>
internal static class Colormap
{
    public const int Size = 256;

    private static readonly byte[] Table = Build();

    /// <summary>The colour of <paramref name="value"/> in [0, 1] (clamped; NaN as 0).</summary>
    public static (byte R, byte G, byte B) Map(float value)
    {
        float v = float.IsNaN(value) ? 0f : Math.Clamp(value, 0f, 1f);
        int i = (int)MathF.Round(v * (Size - 1)) * 3;
        return (Table[i], Table[i + 1], Table[i + 2]);
    }

    /// <summary>OKLab lightness of entry <paramref name="index"/> of the table as built (for tests).</summary>
    internal static double Lightness(int index) => 0.30 + 0.65 * index / (Size - 1);

    internal static (byte R, byte G, byte B) Entry(int index) => (Table[3 * index], Table[3 * index + 1], Table[3 * index + 2]);

    private static byte[] Build()
    {
        var table = new byte[Size * 3];
        for (int i = 0; i < Size; i++)
        {
            double t = (double)i / (Size - 1);
            double l = Lightness(i);
            double hue = (290.0 - 190.0 * t) * Math.PI / 180.0;
            double lo = 0, hi = 0.16;
            if (!InGamut(l, hi, hue))
            {
                for (int step = 0; step < 40; step++)
                {
                    double mid = 0.5 * (lo + hi);
                    if (InGamut(l, mid, hue)) lo = mid;
                    else hi = mid;
                }
                hi = lo;
            }
            var (r, g, b) = OkLabToLinearSrgb(l, hi * Math.Cos(hue), hi * Math.Sin(hue));
            table[3 * i] = Encode(r);
            table[3 * i + 1] = Encode(g);
            table[3 * i + 2] = Encode(b);
        }
        return table;
    }

    private static bool InGamut(double l, double chroma, double hue)
    {
        var (r, g, b) = OkLabToLinearSrgb(l, chroma * Math.Cos(hue), chroma * Math.Sin(hue));
        return r is >= 0 and <= 1 && g is >= 0 and <= 1 && b is >= 0 and <= 1;
    }

    /// <summary>OKLab → linear sRGB with the matrices of Ottosson (2020).</summary>
    private static (double R, double G, double B) OkLabToLinearSrgb(double l, double a, double b)
    {
        double l_ = l + 0.3963377774 * a + 0.2158037573 * b;
        double m_ = l - 0.1055613458 * a - 0.0638541728 * b;
        double s_ = l - 0.0894841775 * a - 1.2914855480 * b;
        double lc = l_ * l_ * l_, mc = m_ * m_ * m_, sc = s_ * s_ * s_;
        return (
            +4.0767416621 * lc - 3.3077115913 * mc + 0.2309699292 * sc,
            -1.2684380046 * lc + 2.6097574011 * mc - 0.3413193965 * sc,
            -0.0041960863 * lc - 0.7034186147 * mc + 1.7076147010 * sc);
    }

    /// <summary>Linear light → 8-bit sRGB (IEC 61966-2-1 transfer function).</summary>
    private static byte Encode(double linear)
    {
        double c = Math.Clamp(linear, 0, 1);
        double s = c <= 0.0031308 ? 12.92 * c : 1.055 * Math.Pow(c, 1 / 2.4) - 0.055;
        return (byte)Math.Round(s * 255);
    }
}
