namespace EvalHarness.Engine.Gemm;

internal static class GemmChecks
{
    public static void Validate(bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException($"GEMM sizes must be non-negative (m={m}, n={n}, k={k}).");
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        Check("A", aRows, aCols, aLength, lda);
        Check("B", bRows, bCols, bLength, ldb);
        Check("C", m, n, cLength, ldc);
    }

    public static void ValidatePack(GemmOperand operand, bool transpose, int rows, int cols, int length, int ld)
    {
        if (rows < 0 || cols < 0) throw new ArgumentException($"GEMM: a packed {operand} operand needs non-negative sizes, got {rows}×{cols}.");
        Check(operand.ToString(), transpose ? cols : rows, transpose ? rows : cols, length, ld);
    }

    public static void ValidatePacked(IPackedMatrix packed, GemmOperand expected)
    {
        ArgumentNullException.ThrowIfNull(packed);
        if (packed.Operand != expected)
            throw new ArgumentException($"GEMM: a matrix packed as operand {packed.Operand} was passed as operand {expected}; pack it with GemmOperand.{expected}.");
    }

    private static void Check(string name, int rows, int cols, int length, int ld)
    {
        if (rows == 0 || cols == 0) return;
        if (ld < cols) throw new ArgumentException($"GEMM: leading dimension of {name} ({ld}) is smaller than its {cols} columns.");
        long needed = (long)(rows - 1) * ld + cols;
        if (needed > length) throw new ArgumentException($"GEMM: {name} needs {needed} values for {rows}×{cols} with stride {ld}, has {length}.");
    }
}
