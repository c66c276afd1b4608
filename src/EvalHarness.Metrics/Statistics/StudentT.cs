namespace EvalHarness.Metrics.Statistics;

/// <summary>Student's t distribution: CDF through the regularised incomplete beta function, quantile by bisection.</summary>
public static class StudentT
{
    /// <summary>P(T ≤ t) for ν degrees of freedom: 1 − ½·I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0, symmetric otherwise.</summary>
    public static double Cdf(double t, double degreesOfFreedom)
    {
        if (!(degreesOfFreedom > 0)) throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom), $"Degrees of freedom must be positive, got {degreesOfFreedom}.");
        if (double.IsNaN(t)) return double.NaN;
        double tail = 0.5 * RegularizedBeta(degreesOfFreedom / (degreesOfFreedom + t * t), degreesOfFreedom / 2, 0.5);
        return t >= 0 ? 1 - tail : tail;
    }

    /// <summary>The p-quantile (0 &lt; p &lt; 1) for ν degrees of freedom, to about 1e-12 relative.</summary>
    public static double Quantile(double p, double degreesOfFreedom)
    {
        if (!(p > 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), $"A quantile needs 0 < p < 1, got {p}.");
        if (p < 0.5) return -Quantile(1 - p, degreesOfFreedom);
        if (p == 0.5) return 0;
        double lo = 0, hi = 1;
        while (Cdf(hi, degreesOfFreedom) < p) hi *= 2;
        for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (Cdf(mid, degreesOfFreedom) < p) lo = mid;
            else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>I_x(a, b) by the continued fraction of the incomplete beta (modified Lentz), using the symmetry for x &gt; (a+1)/(a+b+2).</summary>
    internal static double RegularizedBeta(double x, double a, double b)
    {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        double front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x));
        if (x > (a + 1) / (a + b + 2)) return 1 - front * BetaFraction(1 - x, b, a) / b;
        return front * BetaFraction(x, a, b) / a;
    }

    private static double BetaFraction(double x, double a, double b)
    {
        const double tiny = 1e-300;
        double c = 1, d = 1 - (a + b) * x / (a + 1);
        if (Math.Abs(d) < tiny) d = tiny;
        d = 1 / d;
        double f = d;
        for (int m = 1; m <= 10000; m++)
        {
            // even step: d_{2m} = m(b − m)x / ((a + 2m − 1)(a + 2m))
            double num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            d = 1 + num * d;
            if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + num / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            f *= d * c;
            // odd step: d_{2m+1} = −(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1))
            num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
            d = 1 + num * d;
            if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + num / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            double delta = d * c;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-15) break;
        }
        return f;
    }

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7, 9 coefficients; about 1e-15 relative).</summary>
    internal static double LogGamma(double x)
    {
        if (x < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x); // reflection
        ReadOnlySpan<double> g =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        x -= 1;
        double sum = g[0];
        for (int i = 1; i < g.Length; i++) sum += g[i] / (x + i);
        double t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }
}
