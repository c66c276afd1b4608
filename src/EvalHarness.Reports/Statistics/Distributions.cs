namespace EvalHarness.Reports.Statistics;

/// <summary>
/// The distribution functions the comparison needs: Student's t (two-sided tail through the regularised
/// incomplete beta function, Abramowitz &amp; Stegun 26.7.1 with 26.5.8's continued fraction) and the standard
/// normal (erfc by its Maclaurin series below 3 and its continued fraction above, A&amp;S 7.1.5 and 7.1.14).
/// </summary>
public static class Distributions
{
    /// <summary>P(|T| ≥ |t|) for ν degrees of freedom: I_{ν/(ν+t²)}(ν/2, ½).</summary>
    public static double StudentTwoSided(double t, double degreesOfFreedom)
    {
        if (double.IsNaN(t) || !(degreesOfFreedom > 0)) return double.NaN;
        if (double.IsInfinity(t)) return 0;
        return IncompleteBeta(degreesOfFreedom / (degreesOfFreedom + t * t), degreesOfFreedom / 2, 0.5);
    }

    /// <summary>The two-sided t quantile: the t with P(|T| ≥ t) = <paramref name="alpha"/>, by bisection.</summary>
    public static double StudentCritical(double alpha, double degreesOfFreedom)
    {
        double lo = 0, hi = 1;
        while (StudentTwoSided(hi, degreesOfFreedom) > alpha) hi *= 2;
        for (int i = 0; i < 200; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (StudentTwoSided(mid, degreesOfFreedom) > alpha) lo = mid;
            else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>P(|Z| ≥ |z|) for a standard normal Z: erfc(|z|/√2).</summary>
    public static double NormalTwoSided(double z) => double.IsNaN(z) ? double.NaN : Erfc(Math.Abs(z) / Math.Sqrt(2));

    /// <summary>erfc(x) for x ≥ 0.</summary>
    public static double Erfc(double x)
    {
        if (x < 0) return 2 - Erfc(-x);
        if (x < 3)
        {
            // erf x = 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1))
            double term = x, sum = x;
            for (int n = 1; n < 200 && Math.Abs(term) > 1e-17 * Math.Abs(sum); n++)
            {
                term *= -x * x / n;
                sum += term / (2 * n + 1);
            }
            return 1 - 2 / Math.Sqrt(Math.PI) * sum;
        }
        // erfc x = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated from the tail
        double f = x;
        for (int k = 60; k >= 1; k--) f = x + k / 2.0 / f;
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }

    /// <summary>The regularised incomplete beta function I_x(a, b).</summary>
    public static double IncompleteBeta(double x, double a, double b)
    {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        double lnFront = LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x);
        return x < (a + 1) / (a + b + 2)
            ? Math.Exp(lnFront) * BetaFraction(x, a, b) / a
            : 1 - Math.Exp(lnFront) * BetaFraction(1 - x, b, a) / b;
    }

    /// <summary>The continued fraction of I_x(a, b) (A&amp;S 26.5.8) by the modified Lentz method.</summary>
    private static double BetaFraction(double x, double a, double b)
    {
        const double tiny = 1e-300;
        double c = 1, d = 1 - (a + b) * x / (a + 1);
        d = 1 / (Math.Abs(d) < tiny ? tiny : d);
        double h = d;
        for (int m = 1; m < 10000; m++)
        {
            for (int half = 0; half < 2; half++)
            {
                double coefficient = half == 0
                    ? m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
                    : -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
                d = 1 + coefficient * d;
                d = Math.Abs(d) < tiny ? tiny : d;
                c = 1 + coefficient / c;
                c = Math.Abs(c) < tiny ? tiny : c;
                d = 1 / d;
                h *= d * c;
                if (half == 1 && Math.Abs(d * c - 1) < 1e-15) return h;
            }
        }
        return h;
    }

    /// <summary>ln Γ(x) for x &gt; 0 by the Lanczos approximation (g = 7, nine coefficients).</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        ReadOnlySpan<double> g =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        x -= 1;
        double sum = g[0];
        for (int i = 1; i < 9; i++) sum += g[i] / (x + i);
        double t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }
}
