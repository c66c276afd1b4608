namespace EvalHarness.Cli.Tests;

public class ColormapTests
{
    /// <summary>OKLab lightness of an 8-bit sRGB colour: the forward transform (sRGB decode, Ottosson's M1, cube root, M2).</summary>
    private static double OkLightness(byte r, byte g, byte b)
    {
        static double Linear(byte v)
        {
            double c = v / 255.0;
            return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
        double lr = Linear(r), lg = Linear(g), lb = Linear(b);
        double l = 0.4122214708 * lr + 0.5363325363 * lg + 0.0514459929 * lb;
        double m = 0.2119034982 * lr + 0.6806995451 * lg + 0.1073969566 * lb;
        double s = 0.0883024619 * lr + 0.2817188376 * lg + 0.6299787005 * lb;
        return 0.2104542553 * Math.Cbrt(l) + 0.7936177850 * Math.Cbrt(m) - 0.0040720468 * Math.Cbrt(s);
    }

    [Fact]
    public void Lightness_rises_steadily_so_higher_saliency_always_looks_lighter()
    {
        double previous = -1;
        for (int i = 0; i < Colormap.Size; i++)
        {
            var (r, g, b) = Colormap.Entry(i);
            double l = OkLightness(r, g, b);
            Assert.True(Math.Abs(l - Colormap.Lightness(i)) < 0.006, $"entry {i}: lightness {l}, designed {Colormap.Lightness(i)}");
            Assert.True(l > previous - 0.003, $"entry {i}: lightness {l} after {previous}");
            previous = l;
        }
    }

    [Fact]
    public void It_runs_from_dark_violet_blue_to_light_yellow()
    {
        var (r0, g0, b0) = Colormap.Map(0f);
        Assert.True(b0 > g0 && b0 > 60 && r0 + g0 + b0 < 300, $"low end {r0},{g0},{b0}");
        var (r1, g1, b1) = Colormap.Map(1f);
        Assert.True(r1 > 200 && g1 > 200 && b1 < 160, $"high end {r1},{g1},{b1}");
        var (rm, gm, bm) = Colormap.Map(0.5f);
        Assert.True(gm > rm, $"middle {rm},{gm},{bm}");
        Assert.Equal(Colormap.Map(0f), Colormap.Map(-3f));
        Assert.Equal(Colormap.Map(0f), Colormap.Map(float.NaN));
        Assert.Equal(Colormap.Map(1f), Colormap.Map(7f));
    }
}
