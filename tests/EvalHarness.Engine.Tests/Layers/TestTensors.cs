namespace EvalHarness.Engine.Tests.Layers;

internal static class TestTensors
{
    /// <summary>Uniform values in [low, high) from a seeded generator.</summary>
    public static Tensor Uniform(int seed, int[] shape, float low = -1f, float high = 1f)
    {
        var rng = new Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t.Data[i] = (float)(low + (high - low) * rng.NextDouble());
        return t;
    }

    public static void Fill(Tensor t, int seed, float low = -1f, float high = 1f)
    {
        var rng = new Random(seed);
        for (int i = 0; i < t.Length; i++) t.Data[i] = (float)(low + (high - low) * rng.NextDouble());
    }

    public static double[] ToDouble(Tensor t) => Array.ConvertAll(t.Data, v => (double)v);

    /// <summary>
    /// Asserts |actual − expected| ≤ tolerance·(|expected| + max|expected|) elementwise, i.e. relative to
    /// the element and to the scale of the tensor, and returns the worst ratio error/(|e| + scale).
    /// </summary>
    public static double AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}.");
        double scale = 0;
        foreach (double e in expected) scale = Math.Max(scale, Math.Abs(e));
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNegativeInfinity(e) || double.IsPositiveInfinity(e))
            {
                if (a != e) Assert.Fail($"{what}[{i}]: expected {e}, got {a}.");
                continue;
            }
            double err = Math.Abs(a - e) / (Math.Abs(e) + scale + 1e-30);
            if (double.IsNaN(err)) err = double.PositiveInfinity;
            worst = Math.Max(worst, err);
            if (!(err <= tolerance)) Assert.Fail($"{what}[{i}]: expected {e:G9}, got {a:G9} (relative error {err:G3} > {tolerance:G3}).");
        }
        return worst;
    }

    /// <summary>max |a − e| / |e| over elements with e ≠ 0 (for reports; unstable near zeros).</summary>
    public static double ElementwiseRelative(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
            if (expected[i] != 0) worst = Math.Max(worst, Math.Abs((double)actual[i] - expected[i]) / Math.Abs(expected[i]));
        return worst;
    }

    public static double AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what) =>
        AssertClose(Array.ConvertAll(expected.ToArray(), v => (double)v), actual, tolerance, what);
}
