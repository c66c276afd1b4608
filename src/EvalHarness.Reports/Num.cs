using System.Globalization;

namespace EvalHarness.Reports;

/// <summary>Invariant-culture number text for reports: fixed decimals, trimmed coordinates, "n/a" for NaN.</summary>
internal static class Num
{
    public static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary><paramref name="value"/> with <paramref name="decimals"/> digits after the point; NaN as "n/a", −0 as 0.</summary>
    public static string Fixed(double value, int decimals)
    {
        if (double.IsNaN(value)) return "n/a";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        string s = value.ToString("F" + decimals.ToString(Inv), Inv);
        return s.StartsWith('-') && s.Trim('-', '0', '.').Length == 0 ? s[1..] : s;
    }

    /// <summary>An SVG coordinate: at most two decimals, no trailing zeros.</summary>
    public static string Coord(double value)
    {
        string s = Math.Round(value, 2).ToString("0.##", Inv);
        return s == "-0" ? "0" : s;
    }

    /// <summary>Shortest round-trip text (CSV).</summary>
    public static string Exact(double value) => value.ToString("R", Inv);

    public static string Int(int value) => value.ToString(Inv);

    /// <summary>
    /// Decimals that show about three significant digits of the largest magnitude in <paramref name="values"/>
    /// (0.4123 → 3, 12.34 → 1, 63.5 → 1), between 0 and 6.
    /// </summary>
    public static int DecimalsFor(IEnumerable<double> values)
    {
        double max = 0;
        foreach (var v in values)
            if (double.IsFinite(v)) max = Math.Max(max, Math.Abs(v));
        if (max == 0) return 3;
        int digits = (int)Math.Floor(Math.Log10(max)) + 1;
        return Math.Clamp(3 - digits, 0, 6);
    }

    /// <summary>A p-value: "&lt;0.0001" below 1e-4, else four decimals.</summary>
    public static string P(double p) => double.IsNaN(p) ? "n/a" : p < 1e-4 ? "<0.0001" : p.ToString("0.0000", Inv);
}
