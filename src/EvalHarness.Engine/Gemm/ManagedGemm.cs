using System.Numerics.Tensors;

namespace EvalHarness.Engine.Gemm;

/// <summary>
/// The always-available managed GEMM. This first version computes each row of C as a sum of
/// scaled rows of op(B) with SIMD (TensorPrimitives); a blocked Vector512 micro-kernel replaces it.
/// </summary>
public sealed class ManagedGemm : IGemm
{
    public static readonly ManagedGemm Instance = new();

    public string Name => "managed";

    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        GemmChecks.Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        GemmScale.ScaleC(m, n, beta, c, ldc);
        if (k == 0 || alpha == 0) return;
        float[]? bt = null;
        if (transB)
        {
            bt = new float[k * n];
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++)
                    bt[p * n + j] = b[j * ldb + p];
            b = bt;
            ldb = n;
        }
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            for (int p = 0; p < k; p++)
            {
                float av = alpha * (transA ? a[p * lda + i] : a[i * lda + p]);
                TensorPrimitives.MultiplyAdd(b.Slice(p * ldb, n), av, row, row);
            }
        }
    }
}
