using EvalHarness.Engine;

namespace EvalHarness.Saliency.Gradients;

/// <summary>
/// Points α_i ∈ [0, 1] and weights w_i approximating ∫₀¹ g(α) dα ≈ Σ_i w_i g(α_i), for the path
/// integral of Integrated Gradients. Methods as named in captum's approximation_methods:
/// <list type="bullet">
/// <item><c>riemann_left</c>, <c>riemann_right</c>, <c>riemann_middle</c>: α on the left/right ends or midpoints of n equal
/// cells, w = 1/n.</item>
/// <item><c>riemann_trapezoid</c>: α = i/(n−1), i = 0..n−1, w = 1/(n−1) with both ends halved (the composite
/// trapezoid rule; weights sum to 1. captum uses 1/n there, whose weights sum to 1 − 1/n).</item>
/// <item><c>gausslegendre</c> (captum's default): the n-point Gauss–Legendre rule mapped from [−1, 1] to [0, 1]
/// (α = (1 + t)/2, w = ω/2), nodes by Newton's iteration on P_n in double precision.</item>
/// </list>
/// </summary>
public sealed class PathQuadrature
{
    public static readonly IReadOnlyList<string> Methods = ["gausslegendre", "riemann_trapezoid", "riemann_right", "riemann_left", "riemann_middle"];

    public PathQuadrature(string method, int steps)
    {
        method = method.Trim().ToLowerInvariant();
        if (!Methods.Contains(method))
            throw new UnknownNameException(NameMatcher.UnknownMessage("integration method", method, Methods.ToList()));
        int min = method == "riemann_trapezoid" ? 2 : 1;
        if (steps < min)
            throw new EvalHarnessException($"Integrated Gradients with {method} needs at least {min} step(s); got {steps}.");
        Method = method;
        Steps = steps;
        Alphas = new double[steps];
        Weights = new double[steps];
        switch (method)
        {
            case "gausslegendre":
                GaussLegendre(steps, Alphas, Weights);
                break;
            case "riemann_trapezoid":
                for (int i = 0; i < steps; i++)
                {
                    Alphas[i] = (double)i / (steps - 1);
                    Weights[i] = (i == 0 || i == steps - 1 ? 0.5 : 1.0) / (steps - 1);
                }
                break;
            default:
                double offset = method switch { "riemann_left" => 0, "riemann_right" => 1, _ => 0.5 };
                for (int i = 0; i < steps; i++)
                {
                    Alphas[i] = (i + offset) / steps;
                    Weights[i] = 1.0 / steps;
                }
                break;
        }
    }

    public string Method { get; }

    public int Steps { get; }

    public double[] Alphas { get; }

    public double[] Weights { get; }

    /// <summary>Gauss–Legendre nodes and weights on [0, 1], ascending.</summary>
    private static void GaussLegendre(int n, double[] alphas, double[] weights)
    {
        for (int i = 0; i < (n + 1) / 2; i++)
        {
            double t = Math.Cos(Math.PI * (i + 0.75) / (n + 0.5)); // Tricomi's initial guess for the i-th largest root
            double dp = 0;
            for (int iter = 0; iter < 100; iter++)
            {
                (double p, dp) = Legendre(n, t);
                double dt = p / dp;
                t -= dt;
                if (Math.Abs(dt) < 1e-16) break;
            }
            (_, dp) = Legendre(n, t);
            double w = 2 / ((1 - t * t) * dp * dp);
            // t is the (i+1)-th largest root; −t the (i+1)-th smallest.
            alphas[n - 1 - i] = (1 + t) / 2;
            weights[n - 1 - i] = w / 2;
            alphas[i] = (1 - t) / 2;
            weights[i] = w / 2;
        }
    }

    /// <summary>P_n(t) and P_n'(t) by the three-term recurrence (Bonnet).</summary>
    private static (double P, double Derivative) Legendre(int n, double t)
    {
        double p0 = 1, p1 = t;
        if (n == 0) return (1, 0);
        for (int k = 2; k <= n; k++)
        {
            double p2 = ((2 * k - 1) * t * p1 - (k - 1) * p0) / k;
            p0 = p1;
            p1 = p2;
        }
        double derivative = n * (t * p1 - p0) / (t * t - 1);
        return (p1, derivative);
    }
}
