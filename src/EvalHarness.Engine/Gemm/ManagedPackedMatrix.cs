namespace EvalHarness.Engine.Gemm;

/// <summary>
/// An operand packed by <see cref="ManagedGemm"/> in the panel layout its micro-kernel reads: for each
/// k block of KcBlock (the last may be shorter) the panels of PanelWidth rows of op(A) (or columns
/// of op(B)) follow each other, each stored k-major and zero-padded to full width. Native memory,
/// 64-byte aligned; freed by Dispose (or the finalizer), which must not race a product using it.
/// Any <see cref="ManagedGemm"/> whose kernel has the same panel width uses it directly.
/// </summary>
public sealed unsafe class ManagedPackedMatrix : IPackedMatrix
{
    private readonly AlignedBuffer _buffer;

    internal ManagedPackedMatrix(GemmOperand operand, int rows, int cols, MicroKernel kernel, int kcBlock, AlignedBuffer buffer)
    {
        Operand = operand;
        Rows = rows;
        Cols = cols;
        Kernel = kernel;
        KcBlock = kcBlock;
        _buffer = buffer;
    }

    public GemmOperand Operand { get; }

    public int Rows { get; }

    public int Cols { get; }

    internal MicroKernel Kernel { get; }

    internal int KcBlock { get; }

    internal int PanelWidth => Operand == GemmOperand.A ? Kernel.Mr : Kernel.Nr;

    internal float* Pointer => _buffer.Pointer;

    /// <summary>Panelled dimension (M or N) and depth (K).</summary>
    private (int Wide, int Depth) Dims => Operand == GemmOperand.A ? (Rows, Cols) : (Cols, Rows);

    public void CopyTo(Span<float> destination)
    {
        if (destination.Length < Rows * Cols)
            throw new ArgumentException($"CopyTo needs {Rows * Cols} values for a {Rows}×{Cols} matrix, got {destination.Length}.");
        var (wide, depth) = Dims;
        int w = PanelWidth;
        long padded = (wide + w - 1) / w * (long)w;
        float* p = Pointer;
        for (int kb = 0; kb * KcBlock < depth; kb++)
        {
            int p0 = kb * KcBlock, kc = Math.Min(KcBlock, depth - p0);
            float* block = p + (long)p0 * padded;
            for (int x = 0; x < wide; x++)
            {
                float* panel = block + (long)(x / w) * w * kc + x % w;
                for (int q = 0; q < kc; q++)
                {
                    float v = panel[(long)q * w];
                    if (Operand == GemmOperand.A) destination[x * Cols + p0 + q] = v;
                    else destination[(p0 + q) * Cols + x] = v;
                }
            }
        }
    }

    public void Dispose() => _buffer.Dispose();
}
