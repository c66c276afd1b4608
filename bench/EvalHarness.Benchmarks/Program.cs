using BenchmarkDotNet.Running;

namespace EvalHarness.Benchmarks;

public static class Program
{
    /// <summary>`--gemm-quick [options]` for a Stopwatch run of the GEMM shapes, `--models-quick [options]` for whole networks; otherwise BenchmarkDotNet's switcher (e.g. `--filter *Gemm*`).</summary>
    public static int Main(string[] args)
    {
        if (args.Contains("--gemm-quick")) return GemmQuick.Run(args);
        if (args.Contains("--models-quick")) return ModelsQuick.Run(args);
        if (args.Contains("--conv-quick")) return ConvQuick.Run(args);
        if (args.Contains("--gemm-kernels")) return KernelProbe.Run(args);
        if (args.Contains("--methods")) return MethodBench.Run(args);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
