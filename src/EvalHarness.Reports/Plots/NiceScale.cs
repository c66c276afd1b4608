namespace EvalHarness.Reports.Plots;

/// <summary>
/// A linear axis with "nice" tick steps (1, 2, 5 × 10^k) covering the data, after Heckbert, "Nice numbers
/// for graph labels", Graphics Gems (1990). <see cref="Map"/> sends a value to the pixel range.
/// </summary>
internal sealed class NiceScale
{
    public NiceScale(double min, double max, double pixelFrom, double pixelTo, int targetTicks = 6)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) (min, max) = (0, 1);
        if (min > max) (min, max) = (max, min);
        if (max - min < 1e-12 * Math.Max(1, Math.Abs(max)))
        {
            double pad = Math.Abs(max) > 0 ? Math.Abs(max) * 0.1 : 1;
            (min, max) = (min - pad, max + pad);
        }
        Step = Nice((max - min) / (targetTicks - 1), round: true);
        Min = Math.Floor(min / Step + 1e-9) * Step;
        Max = Math.Ceiling(max / Step - 1e-9) * Step;
        PixelFrom = pixelFrom;
        PixelTo = pixelTo;
        Decimals = Math.Max(0, -(int)Math.Floor(Math.Log10(Step) + 1e-9));
    }

    public double Min { get; }

    public double Max { get; }

    public double Step { get; }

    public int Decimals { get; }

    public double PixelFrom { get; }

    public double PixelTo { get; }

    public double Map(double v) => PixelFrom + (v - Min) / (Max - Min) * (PixelTo - PixelFrom);

    public IEnumerable<double> Ticks()
    {
        int count = (int)Math.Round((Max - Min) / Step);
        for (int i = 0; i <= count; i++) yield return Min + i * Step;
    }

    public string Label(double v) => Num.Fixed(Math.Abs(v) < Step * 1e-9 ? 0 : v, Decimals);

    /// <summary>The nice number (1, 2, 5 × 10^k) nearest <paramref name="x"/> (Heckbert's rounding thresholds 1.5, 3, 7).</summary>
    private static double Nice(double x, bool round)
    {
        double exp = Math.Floor(Math.Log10(x));
        double f = x / Math.Pow(10, exp);
        double nf = round
            ? f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10
            : f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nf * Math.Pow(10, exp);
    }
}
