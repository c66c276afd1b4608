namespace EvalHarness.Engine.Gemm;

/// <summary>Which side of C = op(A)·op(B) a pre-packed matrix is for.</summary>
public enum GemmOperand
{
    /// <summary>The left factor, op(A): M×K.</summary>
    A,

    /// <summary>The right factor, op(B): K×N.</summary>
    B,
}
