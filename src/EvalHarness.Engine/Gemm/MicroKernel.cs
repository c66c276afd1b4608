using System.Runtime.Intrinsics;

namespace EvalHarness.Engine.Gemm;

/// <summary>
/// A register-blocked micro-kernel of <see cref="ManagedGemm"/> with its tile shape and the cache
/// blocking tuned for it: KcMax bounds the k slice (one A micro-panel of Mr×KcMax floats stays in L1)
/// and Nc the columns of a packed B block (KcMax×Nc floats stay in the 2 MB L2).
/// </summary>
internal sealed unsafe class MicroKernel
{
    private MicroKernel(string name, int mr, int nr, int kcMax, int nc,
        delegate*<int, float*, float*, float*, nint, float, float, void> run,
        int[]? edgeRows = null, delegate*<int, float*, float*, float*, nint, float, float, void>[]? edgeRuns = null)
    {
        _edgeRows = edgeRows ?? [];
        _edgeRuns = edgeRuns ?? [];
        Name = name;
        Mr = mr;
        Nr = nr;
        KcMax = kcMax;
        Nc = nc;
        Run = run;
    }

    private readonly int[] _edgeRows;
    private readonly delegate*<int, float*, float*, float*, nint, float, float, void>[] _edgeRuns;

    public string Name { get; }

    public int Mr { get; }

    public int Nr { get; }

    public int KcMax { get; }

    public int Nc { get; }

    public delegate*<int, float*, float*, float*, nint, float, float, void> Run { get; }

    public static MicroKernel V512x12x32 { get; } = new("Vector512 12x32", 12, 32, 384, 640, &GemmMicroKernels.Kernel12x32,
        [4, 8], [&GemmMicroKernels.Kernel4x32Of12, &GemmMicroKernels.Kernel8x32Of12]);

    public static MicroKernel V512x8x32 { get; } = new("Vector512 8x32", 8, 32, 384, 640, &GemmMicroKernels.Kernel8x32);

    public static MicroKernel V512x6x48 { get; } = new("Vector512 6x48", 6, 48, 384, 624, &GemmMicroKernels.Kernel6x48);

    public static MicroKernel V256x6x16 { get; } = new("Vector256 6x16", 6, 16, 384, 640, &GemmMicroKernels.Kernel6x16);

    public static IReadOnlyList<MicroKernel> All { get; } = [V512x12x32, V512x8x32, V512x6x48, V256x6x16];

    /// <summary>The fastest kernel the hardware accelerates.</summary>
    public static MicroKernel Best => Vector512.IsHardwareAccelerated ? V512x12x32 : V256x6x16;

    /// <summary>A copy with other blocking sizes (for tuning).</summary>
    public MicroKernel WithBlocking(int kcMax, int nc) =>
        new(Name, Mr, Nr, kcMax > 0 ? kcMax : KcMax, nc > 0 ? (nc + Nr - 1) / Nr * Nr : Nc, Run, _edgeRows, _edgeRuns);

    /// <summary>
    /// The kernel for the last, partial panel of <paramref name="rows"/> rows: the smallest one that
    /// covers them (reading the panel at stride Mr), or the full one.
    /// </summary>
    public delegate*<int, float*, float*, float*, nint, float, float, void> ForRows(int rows, out int kernelRows)
    {
        for (int i = 0; i < _edgeRows.Length; i++)
        {
            if (_edgeRows[i] >= rows)
            {
                kernelRows = _edgeRows[i];
                return _edgeRuns[i];
            }
        }
        kernelRows = Mr;
        return Run;
    }
}
