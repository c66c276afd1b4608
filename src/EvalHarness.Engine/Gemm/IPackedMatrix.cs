namespace EvalHarness.Engine.Gemm;

/// <summary>
/// A constant GEMM operand laid out once (by <see cref="IGemm.Pack"/>) in the form a provider
/// multiplies fastest, e.g. a layer's weights. It is a snapshot: later changes to the source array
/// are not seen, so re-pack after loading new values. Dispose frees its (possibly native) memory.
/// Any provider accepts any packed matrix; one packed by another provider costs an unpacking copy.
/// </summary>
public interface IPackedMatrix : IDisposable
{
    GemmOperand Operand { get; }

    /// <summary>Rows of op(X): M for an A operand, K for a B operand.</summary>
    int Rows { get; }

    /// <summary>Columns of op(X): K for an A operand, N for a B operand.</summary>
    int Cols { get; }

    /// <summary>Writes op(X) row-major (Rows×Cols, row stride Cols) into <paramref name="destination"/>.</summary>
    void CopyTo(Span<float> destination);
}
