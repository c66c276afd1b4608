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

    /// <summary>
    /// Packs a constant operand once for repeated products. <paramref name="rows"/>×<paramref name="cols"/>
    /// is the shape of op(X) (M×K for A, K×N for B); the data is stored as that matrix, or as its
    /// transpose when <paramref name="transpose"/> is set, with row stride <paramref name="ld"/>.
    /// The default keeps a contiguous copy.
    /// </summary>
    IPackedMatrix Pack(GemmOperand operand, bool transpose, int rows, int cols, ReadOnlySpan<float> data, int ld) =>
        ContiguousPackedMatrix.Create(operand, transpose, rows, cols, data, ld);

    /// <summary>C = alpha·A·op(B) + beta·C with a pre-packed A (M×K taken from it).</summary>
    void Sgemm(IPackedMatrix a, bool transB, int n, float alpha, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc) =>
        ContiguousPackedMatrix.SgemmUnpacked(this, a, transB, n, alpha, b, ldb, beta, c, ldc);

    /// <summary>C = alpha·op(A)·B + beta·C with a pre-packed B (K×N taken from it).</summary>
    void Sgemm(bool transA, int m, float alpha, ReadOnlySpan<float> a, int lda, IPackedMatrix b,
        float beta, Span<float> c, int ldc) =>
        ContiguousPackedMatrix.SgemmUnpacked(this, transA, m, alpha, a, lda, b, beta, c, ldc);
}
