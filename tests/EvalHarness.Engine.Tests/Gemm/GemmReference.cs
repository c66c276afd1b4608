namespace EvalHarness.Engine.Tests.Gemm;

/// <summary>
/// Test matrices and a definition-following double-precision GEMM to compare providers against.
/// </summary>
internal static class GemmReference
{
    /// <summary>Unit roundoff of float32.</summary>
    public const double U = 1.0 / (1 << 24);

    /// <summary>A rows×cols matrix stored with row stride ld ≥ cols; the padding holds NaN so reading it shows.</summary>
    public static float[] Strided(Random rng, int rows, int cols, int ld)
    {
        var data = new float[Math.Max(1, rows == 0 ? 0 : (rows - 1) * ld + cols)];
        Array.Fill(data, float.NaN);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                data[i * ld + j] = (float)(rng.NextDouble() * 2 - 1);
        return data;
    }

    /// <summary>
    /// alpha·op(A)·op(B) + beta·C0 in double, and per element the bound on a float32 result's error:
    /// a k-term sum in any order (and blocked, with one extra rounding per block) is within
    /// (k + 2·blocks + few)·u of Σ|terms| (Higham, Accuracy and Stability of Numerical Algorithms, §3.1).
    /// (2k + 16)·u·(|alpha|·Σ|a·b| + |beta·c|) covers blocks down to 2 terms.
    /// </summary>
    public static (double[] Value, double[] Bound) Compute(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int lda, float[] b, int ldb, float beta, float[] c0, int ldc)
    {
        var value = new double[m * n];
        var bound = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double t = (double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                    sum += t;
                    abs += Math.Abs(t);
                }
                double prior = beta == 0 ? 0 : (double)beta * c0[i * ldc + j];
                value[i * n + j] = alpha * sum + prior;
                bound[i * n + j] = (2.0 * k + 16) * U * (Math.Abs(alpha) * abs + Math.Abs(prior)) + 1e-30;
            }
        }
        return (value, bound);
    }

    /// <summary>Asserts every element of C is within its bound, and C's padding (columns n..ldc) is untouched.</summary>
    public static void AssertClose(string what, (double[] Value, double[] Bound) expected, float[] c, int m, int n, int ldc, float[] cBefore)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double got = c[i * ldc + j], want = expected.Value[i * n + j];
                if (!(Math.Abs(got - want) <= expected.Bound[i * n + j]))
                    Assert.Fail($"{what}: C[{i},{j}] = {got:R}, expected {want:R} ± {expected.Bound[i * n + j]:G3}.");
            }
            for (int j = n; j < ldc && i * ldc + j < c.Length; j++)
                if (BitConverter.SingleToInt32Bits(c[i * ldc + j]) != BitConverter.SingleToInt32Bits(cBefore[i * ldc + j]))
                    Assert.Fail($"{what}: C's padding at [{i},{j}] was written.");
        }
    }
}
