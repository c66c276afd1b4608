using System.Runtime.InteropServices;
using EvalHarness.Engine.Gemm;

namespace EvalHarness.Engine.Tests.Gemm;

/// <summary>OpenBLAS specifics (its products are checked with the other providers in GemmCorrectnessTests).</summary>
[Collection(nameof(GemmProviderState))]
public class OpenBlasGemmTests
{
    private static OpenBlasGemm Load()
    {
        Skip.IfNot(OpenBlasGemm.TryCreate(out var blas), $"OpenBLAS is not loadable here ({OpenBlasGemm.LoadError}); install libopenblas0-pthread to test it.");
        return blas!;
    }

    [SkippableFact]
    public void Thread_count_reaches_the_library_and_does_not_change_results()
    {
        var blas = Load();
        var rng = new Random(3);
        int m = 300, n = 200, k = 500;
        var a = GemmReference.Strided(rng, m, k, k);
        var b = GemmReference.Strided(rng, k, n, n);
        var one = new float[m * n];
        var two = new float[m * n];
        try
        {
            blas.SetThreads(1);
            Assert.Equal(1, blas.Threads);
            blas.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, one, n);
            blas.SetThreads(2);
            Assert.Equal(2, blas.Threads);
            blas.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, two, n);
            var expected = GemmReference.Compute(false, false, m, n, k, 1f, a, k, b, n, 0f, one, n);
            GemmReference.AssertClose("openblas 1 thread", expected, one, m, n, n, one);
            GemmReference.AssertClose("openblas 2 threads", expected, two, m, n, n, two);
        }
        finally
        {
            blas.SetThreads(0);
        }
        Assert.Equal(Environment.ProcessorCount, blas.Threads);
    }

    [SkippableFact]
    public void Reports_its_configuration_and_idle_workers_do_not_spin_for_long()
    {
        var blas = Load();
        Assert.Contains("OpenBLAS", blas.Config);
        Skip.If(OperatingSystem.IsWindows(), "The idle timeout is set through the native environment on Unix only.");
        // The timeout is in the native environment that OpenBLAS read when it loaded (a value set by the user is kept).
        var value = Marshal.PtrToStringAnsi(GetEnv("OPENBLAS_THREAD_TIMEOUT"));
        Assert.NotNull(value);
        if (Environment.GetEnvironmentVariable("OPENBLAS_THREAD_TIMEOUT") is null)
            Assert.Equal(OpenBlasGemm.ThreadTimeoutExponent.ToString(System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern nint GetEnv(string name);
}
