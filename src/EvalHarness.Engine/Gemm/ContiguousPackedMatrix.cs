using System.Buffers;

namespace EvalHarness.Engine.Gemm;

/// <summary>
/// The provider-neutral packed operand: a compact copy of the matrix as stored (row stride = its
/// stored column count), multiplied through the ordinary Sgemm. Also home of the fallback that lets
/// any provider take any <see cref="IPackedMatrix"/>.
/// </summary>
public sealed class ContiguousPackedMatrix : IPackedMatrix
{
    private float[]? _data;

    private ContiguousPackedMatrix(GemmOperand operand, bool transposed, int rows, int cols, float[] data)
    {
        Operand = operand;
        Transposed = transposed;
        Rows = rows;
        Cols = cols;
        _data = data;
    }

    public GemmOperand Operand { get; }

    public int Rows { get; }

    public int Cols { get; }

    /// <summary>True when the copy holds op(X)ᵀ (Cols×Rows), as the source did.</summary>
    public bool Transposed { get; }

    /// <summary>Row stride of <see cref="Data"/>.</summary>
    public int Ld => Math.Max(1, Transposed ? Rows : Cols);

    public ReadOnlySpan<float> Data => _data ?? throw new ObjectDisposedException(nameof(ContiguousPackedMatrix));

    public static ContiguousPackedMatrix Create(GemmOperand operand, bool transpose, int rows, int cols, ReadOnlySpan<float> data, int ld)
    {
        GemmChecks.ValidatePack(operand, transpose, rows, cols, data.Length, ld);
        int storedRows = transpose ? cols : rows, storedCols = transpose ? rows : cols;
        var copy = GC.AllocateUninitializedArray<float>(storedRows * storedCols);
        for (int i = 0; i < storedRows; i++)
            data.Slice(i * ld, storedCols).CopyTo(copy.AsSpan(i * storedCols, storedCols));
        return new ContiguousPackedMatrix(operand, transpose, rows, cols, copy);
    }

    public void CopyTo(Span<float> destination)
    {
        var data = Data;
        if (destination.Length < Rows * Cols)
            throw new ArgumentException($"CopyTo needs {Rows * Cols} values for a {Rows}×{Cols} matrix, got {destination.Length}.");
        if (!Transposed)
        {
            data[..(Rows * Cols)].CopyTo(destination);
            return;
        }
        for (int i = 0; i < Rows; i++)
            for (int j = 0; j < Cols; j++)
                destination[i * Cols + j] = data[j * Rows + i];
    }

    public void Dispose() => _data = null;

    internal static void SgemmUnpacked(IGemm gemm, IPackedMatrix a, bool transB, int n, float alpha,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        GemmChecks.ValidatePacked(a, GemmOperand.A);
        if (a is ContiguousPackedMatrix cp)
        {
            gemm.Sgemm(cp.Transposed, transB, cp.Rows, n, cp.Cols, alpha, cp.Data, cp.Ld, b, ldb, beta, c, ldc);
            return;
        }
        var buffer = ArrayPool<float>.Shared.Rent(Math.Max(1, a.Rows * a.Cols));
        try
        {
            a.CopyTo(buffer);
            gemm.Sgemm(false, transB, a.Rows, n, a.Cols, alpha, buffer, Math.Max(1, a.Cols), b, ldb, beta, c, ldc);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    internal static void SgemmUnpacked(IGemm gemm, bool transA, int m, float alpha, ReadOnlySpan<float> a, int lda,
        IPackedMatrix b, float beta, Span<float> c, int ldc)
    {
        GemmChecks.ValidatePacked(b, GemmOperand.B);
        if (b is ContiguousPackedMatrix cp)
        {
            gemm.Sgemm(transA, cp.Transposed, m, cp.Cols, cp.Rows, alpha, a, lda, cp.Data, cp.Ld, beta, c, ldc);
            return;
        }
        var buffer = ArrayPool<float>.Shared.Rent(Math.Max(1, b.Rows * b.Cols));
        try
        {
            b.CopyTo(buffer);
            gemm.Sgemm(transA, false, m, b.Cols, b.Rows, alpha, a, lda, buffer, Math.Max(1, b.Cols), beta, c, ldc);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }
}
