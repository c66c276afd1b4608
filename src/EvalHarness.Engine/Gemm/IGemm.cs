namespace EvalHarness.Engine.Gemm;

/// <summary>
/// Single-precision matrix multiply on row-major matrices: C = alpha·op(A)·op(B) + beta·C, where
/// op(A) is M×K and op(B) is K×N. lda/ldb/ldc are row strides of the matrices as stored.
/// When beta is 0, C is overwritten (its old contents, even NaN, are ignored).
/// </summary>
public interface IGemm
{
    string Name { get; }

    void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc);
}
