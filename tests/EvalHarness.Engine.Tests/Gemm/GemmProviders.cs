using EvalHarness.Engine.Gemm;

namespace EvalHarness.Engine.Tests.Gemm;

/// <summary>
/// The GEMMs under test by name. Besides the shipped configurations, the managed GEMM is also run
/// with tiny blocks and no parallel threshold so that small matrices cross every blocking edge:
/// several K blocks, several column blocks per thread, split rows with a shared packed B, and A
/// packed in row chunks.
/// </summary>
internal static class GemmProviders
{
    public static IEnumerable<string> Names
    {
        get
        {
            yield return "naive";
            yield return "managed";
            yield return "managed-1-thread";
            yield return "managed-vector256";
            yield return "managed-8x32";
            yield return "managed-6x48";
            yield return "managed-small-blocks";
            yield return "managed-row-chunks";
            yield return "openblas";
        }
    }

    public static IGemm Get(string name) => name switch
    {
        "naive" => NaiveGemm.Instance,
        "managed" => ManagedGemm.Instance,
        "managed-1-thread" => new ManagedGemm(1),
        "managed-vector256" => new ManagedGemm(2, MicroKernel.V256x6x16) { ParallelMinFlops = 0 },
        "managed-8x32" => new ManagedGemm(2, MicroKernel.V512x8x32) { ParallelMinFlops = 0 },
        "managed-6x48" => new ManagedGemm(2, MicroKernel.V512x6x48) { ParallelMinFlops = 0 },
        "managed-small-blocks" => new ManagedGemm(2, MicroKernel.Best.WithBlocking(kcMax: 16, nc: 64)) { ParallelMinFlops = 0 },
        "managed-row-chunks" => new ManagedGemm(3, MicroKernel.Best.WithBlocking(kcMax: 24, nc: 96))
        {
            ParallelMinFlops = 0, PackedALimitFloats = 2000, SharedBLimitFloats = 0,
        },
        "openblas" => OpenBlasGemm.TryCreate(out var blas) ? blas! : throw new InvalidOperationException("no OpenBLAS"),
        _ => throw new ArgumentException(name),
    };

    /// <summary>
    /// Skips the test when the provider cannot run here (OpenBLAS not installed). The Vector512 and
    /// Vector256 kernels run everywhere: without hardware support .NET emulates them, slowly but exactly.
    /// </summary>
    public static IGemm GetOrSkip(string name)
    {
        if (name == "openblas")
            Skip.IfNot(OpenBlasGemm.TryCreate(out _), $"OpenBLAS is not loadable here ({OpenBlasGemm.LoadError}); install libopenblas0-pthread to test it.");
        return Get(name);
    }
}
