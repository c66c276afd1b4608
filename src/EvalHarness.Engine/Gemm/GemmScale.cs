namespace EvalHarness.Engine.Gemm;

internal static class GemmScale
{
    /// <summary>C = beta·C, where beta = 0 clears (ignores NaN in the old C).</summary>
    public static void ScaleC(int m, int n, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta == 0) row.Clear();
            else if (beta != 1) System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }
}
