namespace EvalHarness.Reports.Plots;

/// <summary>
/// The Okabe–Ito palette (Okabe &amp; Ito 2008, "Color Universal Design"), distinguishable under the common
/// colour-vision deficiencies, ordered for contrast on white (yellow last); beyond eight series the colours
/// repeat with another dash pattern and marker shape.
/// </summary>
internal static class Palette
{
    private static readonly string[] Colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

    private static readonly string?[] Dashes = [null, "6 3", "2 2", "8 3 2 3"];

    public static string Color(int series) => Colors[series % Colors.Length];

    public static string? Dash(int series) => Dashes[series / Colors.Length % Dashes.Length];

    public static int Shape(int series) => series % 4;

    /// <summary>Sequential blue scale for the rank heatmap: t = 0 (best) dark blue → t = 1 (worst) pale.</summary>
    public static string Sequential(double t)
    {
        t = Math.Clamp(t, 0, 1);
        // Interpolates in sRGB from #08306B (dark blue) to #F7FBFF (almost white); text switches to black past t = 0.5.
        int r = (int)Math.Round(0x08 + t * (0xF7 - 0x08)), g = (int)Math.Round(0x30 + t * (0xFB - 0x30)), b = (int)Math.Round(0x6B + t * (0xFF - 0x6B));
        return $"#{r:X2}{g:X2}{b:X2}";
    }
}
