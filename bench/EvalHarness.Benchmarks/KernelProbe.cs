using System.Diagnostics;
using EvalHarness.Engine.Gemm;

namespace EvalHarness.Benchmarks;

/// <summary>`--gemm-kernels`: each micro-kernel alone on cache-resident panels, one thread (its ceiling).</summary>
public static unsafe class KernelProbe
{
    public static int Run(string[] args)
    {
        foreach (var kernel in MicroKernel.All)
        {
            foreach (int kc in new[] { 128, 256, 384, 512 })
            {
                int panels = 16; // B panels swept per A panel, as in the driver
                var a = new AlignedBuffer((long)kernel.Mr * kc);
                var b = new AlignedBuffer((long)kernel.Nr * kc * panels);
                var c = new AlignedBuffer((long)kernel.Mr * kernel.Nr * panels);
                for (long i = 0; i < kernel.Mr * kc; i++) a.Pointer[i] = 0.001f * (i % 7);
                for (long i = 0; i < (long)kernel.Nr * kc * panels; i++) b.Pointer[i] = 0.001f * (i % 5);
                var run = kernel.Run;
                double best = double.MaxValue;
                for (int rep = 0; rep < 200; rep++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    for (int j = 0; j < panels; j++)
                        run(kc, a.Pointer, b.Pointer + (long)j * kernel.Nr * kc, c.Pointer + j * kernel.Nr, kernel.Nr * panels, 1f, 1f);
                    best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds);
                }
                double flops = 2.0 * kernel.Mr * kernel.Nr * kc * panels;
                Console.WriteLine($"{kernel.Name,-18} kc={kc,4}: {flops / best / 1e9,6:F1} GFLOP/s (best of 200)");
                a.Dispose();
                b.Dispose();
                c.Dispose();
            }
        }
        return 0;
    }
}
