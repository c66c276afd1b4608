using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EvalHarness.Engine.Gemm;

/// <summary>
/// Register-blocked GEMM micro-kernels (the BLIS scheme: Van Zee &amp; van de Geijn, "BLIS: A Framework
/// for Rapidly Instantiating BLAS Functionality", ACM TOMS 2015). Each keeps an MR×NR tile of C in
/// registers and, per k step, broadcasts MR values of the packed A panel against NR/lanes vectors of
/// the packed B panel. The kernels are straight-line on purpose: any other path in the same method
/// (e.g. an edge case with stackalloc) makes RyuJIT spill the accumulators.
/// </summary>
internal static unsafe class GemmMicroKernels
{
    /// <summary>C[12×32] = alpha·Ap·Bp + beta·C (beta = 0: C is not read). Ap is kc×12, Bp is kc×32, both packed.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Kernel12x32(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c0_0 = default, c0_1 = default;
        Vector512<float> c1_0 = default, c1_1 = default;
        Vector512<float> c2_0 = default, c2_1 = default;
        Vector512<float> c3_0 = default, c3_1 = default;
        Vector512<float> c4_0 = default, c4_1 = default;
        Vector512<float> c5_0 = default, c5_1 = default;
        Vector512<float> c6_0 = default, c6_1 = default;
        Vector512<float> c7_0 = default, c7_1 = default;
        Vector512<float> c8_0 = default, c8_1 = default;
        Vector512<float> c9_0 = default, c9_1 = default;
        Vector512<float> c10_0 = default, c10_1 = default;
        Vector512<float> c11_0 = default, c11_1 = default;
        // Ask for the C tile now so that it is in cache when the k loop ends.
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(c);
            Sse.Prefetch0(c + 16);
            Sse.Prefetch0(c + 1 * ldc);
            Sse.Prefetch0(c + 1 * ldc + 16);
            Sse.Prefetch0(c + 2 * ldc);
            Sse.Prefetch0(c + 2 * ldc + 16);
            Sse.Prefetch0(c + 3 * ldc);
            Sse.Prefetch0(c + 3 * ldc + 16);
            Sse.Prefetch0(c + 4 * ldc);
            Sse.Prefetch0(c + 4 * ldc + 16);
            Sse.Prefetch0(c + 5 * ldc);
            Sse.Prefetch0(c + 5 * ldc + 16);
            Sse.Prefetch0(c + 6 * ldc);
            Sse.Prefetch0(c + 6 * ldc + 16);
            Sse.Prefetch0(c + 7 * ldc);
            Sse.Prefetch0(c + 7 * ldc + 16);
            Sse.Prefetch0(c + 8 * ldc);
            Sse.Prefetch0(c + 8 * ldc + 16);
            Sse.Prefetch0(c + 9 * ldc);
            Sse.Prefetch0(c + 9 * ldc + 16);
            Sse.Prefetch0(c + 10 * ldc);
            Sse.Prefetch0(c + 10 * ldc + 16);
            Sse.Prefetch0(c + 11 * ldc);
            Sse.Prefetch0(c + 11 * ldc + 16);
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector512.Create(a[1]);
            c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector512.Create(a[2]);
            c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector512.Create(a[3]);
            c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector512.Create(a[4]);
            c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector512.Create(a[5]);
            c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
            var a6 = Vector512.Create(a[6]);
            c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0);
            c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
            var a7 = Vector512.Create(a[7]);
            c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0);
            c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
            var a8 = Vector512.Create(a[8]);
            c8_0 = Vector512.FusedMultiplyAdd(a8, b0, c8_0);
            c8_1 = Vector512.FusedMultiplyAdd(a8, b1, c8_1);
            var a9 = Vector512.Create(a[9]);
            c9_0 = Vector512.FusedMultiplyAdd(a9, b0, c9_0);
            c9_1 = Vector512.FusedMultiplyAdd(a9, b1, c9_1);
            var a10 = Vector512.Create(a[10]);
            c10_0 = Vector512.FusedMultiplyAdd(a10, b0, c10_0);
            c10_1 = Vector512.FusedMultiplyAdd(a10, b1, c10_1);
            var a11 = Vector512.Create(a[11]);
            c11_0 = Vector512.FusedMultiplyAdd(a11, b0, c11_0);
            c11_1 = Vector512.FusedMultiplyAdd(a11, b1, c11_1);
            a += 12;
            b += 32;
        }
        var va = Vector512.Create(alpha);
        if (beta == 0)
        {
            Vector512.Store(c0_0 * va, c);
            Vector512.Store(c0_1 * va, c + 16);
            Vector512.Store(c1_0 * va, c + 1 * ldc);
            Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
            Vector512.Store(c2_0 * va, c + 2 * ldc);
            Vector512.Store(c2_1 * va, c + 2 * ldc + 16);
            Vector512.Store(c3_0 * va, c + 3 * ldc);
            Vector512.Store(c3_1 * va, c + 3 * ldc + 16);
            Vector512.Store(c4_0 * va, c + 4 * ldc);
            Vector512.Store(c4_1 * va, c + 4 * ldc + 16);
            Vector512.Store(c5_0 * va, c + 5 * ldc);
            Vector512.Store(c5_1 * va, c + 5 * ldc + 16);
            Vector512.Store(c6_0 * va, c + 6 * ldc);
            Vector512.Store(c6_1 * va, c + 6 * ldc + 16);
            Vector512.Store(c7_0 * va, c + 7 * ldc);
            Vector512.Store(c7_1 * va, c + 7 * ldc + 16);
            Vector512.Store(c8_0 * va, c + 8 * ldc);
            Vector512.Store(c8_1 * va, c + 8 * ldc + 16);
            Vector512.Store(c9_0 * va, c + 9 * ldc);
            Vector512.Store(c9_1 * va, c + 9 * ldc + 16);
            Vector512.Store(c10_0 * va, c + 10 * ldc);
            Vector512.Store(c10_1 * va, c + 10 * ldc + 16);
            Vector512.Store(c11_0 * va, c + 11 * ldc);
            Vector512.Store(c11_1 * va, c + 11 * ldc + 16);
        }
        else
        {
            var vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(c0_0, va, Vector512.Load(c) * vb), c);
            Vector512.Store(Vector512.FusedMultiplyAdd(c0_1, va, Vector512.Load(c + 16) * vb), c + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c1_0, va, Vector512.Load(c + 1 * ldc) * vb), c + 1 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c1_1, va, Vector512.Load(c + 1 * ldc + 16) * vb), c + 1 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c2_0, va, Vector512.Load(c + 2 * ldc) * vb), c + 2 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c2_1, va, Vector512.Load(c + 2 * ldc + 16) * vb), c + 2 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c3_0, va, Vector512.Load(c + 3 * ldc) * vb), c + 3 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c3_1, va, Vector512.Load(c + 3 * ldc + 16) * vb), c + 3 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c4_0, va, Vector512.Load(c + 4 * ldc) * vb), c + 4 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c4_1, va, Vector512.Load(c + 4 * ldc + 16) * vb), c + 4 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c5_0, va, Vector512.Load(c + 5 * ldc) * vb), c + 5 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c5_1, va, Vector512.Load(c + 5 * ldc + 16) * vb), c + 5 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c6_0, va, Vector512.Load(c + 6 * ldc) * vb), c + 6 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c6_1, va, Vector512.Load(c + 6 * ldc + 16) * vb), c + 6 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c7_0, va, Vector512.Load(c + 7 * ldc) * vb), c + 7 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c7_1, va, Vector512.Load(c + 7 * ldc + 16) * vb), c + 7 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c8_0, va, Vector512.Load(c + 8 * ldc) * vb), c + 8 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c8_1, va, Vector512.Load(c + 8 * ldc + 16) * vb), c + 8 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c9_0, va, Vector512.Load(c + 9 * ldc) * vb), c + 9 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c9_1, va, Vector512.Load(c + 9 * ldc + 16) * vb), c + 9 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c10_0, va, Vector512.Load(c + 10 * ldc) * vb), c + 10 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c10_1, va, Vector512.Load(c + 10 * ldc + 16) * vb), c + 10 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c11_0, va, Vector512.Load(c + 11 * ldc) * vb), c + 11 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c11_1, va, Vector512.Load(c + 11 * ldc + 16) * vb), c + 11 * ldc + 16);
        }
    }

    /// <summary>The first 8 rows of a 12-row panel (Ap is kc×12): C[8×32] = alpha·Ap·Bp + beta·C.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Kernel8x32Of12(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c0_0 = default, c0_1 = default;
        Vector512<float> c1_0 = default, c1_1 = default;
        Vector512<float> c2_0 = default, c2_1 = default;
        Vector512<float> c3_0 = default, c3_1 = default;
        Vector512<float> c4_0 = default, c4_1 = default;
        Vector512<float> c5_0 = default, c5_1 = default;
        Vector512<float> c6_0 = default, c6_1 = default;
        Vector512<float> c7_0 = default, c7_1 = default;
        // Ask for the C tile now so that it is in cache when the k loop ends.
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(c);
            Sse.Prefetch0(c + 16);
            Sse.Prefetch0(c + 1 * ldc);
            Sse.Prefetch0(c + 1 * ldc + 16);
            Sse.Prefetch0(c + 2 * ldc);
            Sse.Prefetch0(c + 2 * ldc + 16);
            Sse.Prefetch0(c + 3 * ldc);
            Sse.Prefetch0(c + 3 * ldc + 16);
            Sse.Prefetch0(c + 4 * ldc);
            Sse.Prefetch0(c + 4 * ldc + 16);
            Sse.Prefetch0(c + 5 * ldc);
            Sse.Prefetch0(c + 5 * ldc + 16);
            Sse.Prefetch0(c + 6 * ldc);
            Sse.Prefetch0(c + 6 * ldc + 16);
            Sse.Prefetch0(c + 7 * ldc);
            Sse.Prefetch0(c + 7 * ldc + 16);
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector512.Create(a[1]);
            c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector512.Create(a[2]);
            c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector512.Create(a[3]);
            c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector512.Create(a[4]);
            c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector512.Create(a[5]);
            c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
            var a6 = Vector512.Create(a[6]);
            c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0);
            c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
            var a7 = Vector512.Create(a[7]);
            c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0);
            c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
            a += 12;
            b += 32;
        }
        var va = Vector512.Create(alpha);
        if (beta == 0)
        {
            Vector512.Store(c0_0 * va, c);
            Vector512.Store(c0_1 * va, c + 16);
            Vector512.Store(c1_0 * va, c + 1 * ldc);
            Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
            Vector512.Store(c2_0 * va, c + 2 * ldc);
            Vector512.Store(c2_1 * va, c + 2 * ldc + 16);
            Vector512.Store(c3_0 * va, c + 3 * ldc);
            Vector512.Store(c3_1 * va, c + 3 * ldc + 16);
            Vector512.Store(c4_0 * va, c + 4 * ldc);
            Vector512.Store(c4_1 * va, c + 4 * ldc + 16);
            Vector512.Store(c5_0 * va, c + 5 * ldc);
            Vector512.Store(c5_1 * va, c + 5 * ldc + 16);
            Vector512.Store(c6_0 * va, c + 6 * ldc);
            Vector512.Store(c6_1 * va, c + 6 * ldc + 16);
            Vector512.Store(c7_0 * va, c + 7 * ldc);
            Vector512.Store(c7_1 * va, c + 7 * ldc + 16);
        }
        else
        {
            var vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(c0_0, va, Vector512.Load(c) * vb), c);
            Vector512.Store(Vector512.FusedMultiplyAdd(c0_1, va, Vector512.Load(c + 16) * vb), c + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c1_0, va, Vector512.Load(c + 1 * ldc) * vb), c + 1 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c1_1, va, Vector512.Load(c + 1 * ldc + 16) * vb), c + 1 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c2_0, va, Vector512.Load(c + 2 * ldc) * vb), c + 2 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c2_1, va, Vector512.Load(c + 2 * ldc + 16) * vb), c + 2 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c3_0, va, Vector512.Load(c + 3 * ldc) * vb), c + 3 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c3_1, va, Vector512.Load(c + 3 * ldc + 16) * vb), c + 3 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c4_0, va, Vector512.Load(c + 4 * ldc) * vb), c + 4 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c4_1, va, Vector512.Load(c + 4 * ldc + 16) * vb), c + 4 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c5_0, va, Vector512.Load(c + 5 * ldc) * vb), c + 5 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c5_1, va, Vector512.Load(c + 5 * ldc + 16) * vb), c + 5 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c6_0, va, Vector512.Load(c + 6 * ldc) * vb), c + 6 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c6_1, va, Vector512.Load(c + 6 * ldc + 16) * vb), c + 6 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c7_0, va, Vector512.Load(c + 7 * ldc) * vb), c + 7 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c7_1, va, Vector512.Load(c + 7 * ldc + 16) * vb), c + 7 * ldc + 16);
        }
    }

    /// <summary>The first 4 rows of a 12-row panel (Ap is kc×12): C[4×32] = alpha·Ap·Bp + beta·C.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Kernel4x32Of12(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c0_0 = default, c0_1 = default;
        Vector512<float> c1_0 = default, c1_1 = default;
        Vector512<float> c2_0 = default, c2_1 = default;
        Vector512<float> c3_0 = default, c3_1 = default;
        // Ask for the C tile now so that it is in cache when the k loop ends.
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(c);
            Sse.Prefetch0(c + 16);
            Sse.Prefetch0(c + 1 * ldc);
            Sse.Prefetch0(c + 1 * ldc + 16);
            Sse.Prefetch0(c + 2 * ldc);
            Sse.Prefetch0(c + 2 * ldc + 16);
            Sse.Prefetch0(c + 3 * ldc);
            Sse.Prefetch0(c + 3 * ldc + 16);
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector512.Create(a[1]);
            c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector512.Create(a[2]);
            c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector512.Create(a[3]);
            c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            a += 12;
            b += 32;
        }
        var va = Vector512.Create(alpha);
        if (beta == 0)
        {
            Vector512.Store(c0_0 * va, c);
            Vector512.Store(c0_1 * va, c + 16);
            Vector512.Store(c1_0 * va, c + 1 * ldc);
            Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
            Vector512.Store(c2_0 * va, c + 2 * ldc);
            Vector512.Store(c2_1 * va, c + 2 * ldc + 16);
            Vector512.Store(c3_0 * va, c + 3 * ldc);
            Vector512.Store(c3_1 * va, c + 3 * ldc + 16);
        }
        else
        {
            var vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(c0_0, va, Vector512.Load(c) * vb), c);
            Vector512.Store(Vector512.FusedMultiplyAdd(c0_1, va, Vector512.Load(c + 16) * vb), c + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c1_0, va, Vector512.Load(c + 1 * ldc) * vb), c + 1 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c1_1, va, Vector512.Load(c + 1 * ldc + 16) * vb), c + 1 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c2_0, va, Vector512.Load(c + 2 * ldc) * vb), c + 2 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c2_1, va, Vector512.Load(c + 2 * ldc + 16) * vb), c + 2 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c3_0, va, Vector512.Load(c + 3 * ldc) * vb), c + 3 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c3_1, va, Vector512.Load(c + 3 * ldc + 16) * vb), c + 3 * ldc + 16);
        }
    }

    /// <summary>C[8×32] = alpha·Ap·Bp + beta·C (beta = 0: C is not read). Ap is kc×8, Bp is kc×32, both packed.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Kernel8x32(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c0_0 = default, c0_1 = default;
        Vector512<float> c1_0 = default, c1_1 = default;
        Vector512<float> c2_0 = default, c2_1 = default;
        Vector512<float> c3_0 = default, c3_1 = default;
        Vector512<float> c4_0 = default, c4_1 = default;
        Vector512<float> c5_0 = default, c5_1 = default;
        Vector512<float> c6_0 = default, c6_1 = default;
        Vector512<float> c7_0 = default, c7_1 = default;
        // Ask for the C tile now so that it is in cache when the k loop ends.
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(c);
            Sse.Prefetch0(c + 16);
            Sse.Prefetch0(c + 1 * ldc);
            Sse.Prefetch0(c + 1 * ldc + 16);
            Sse.Prefetch0(c + 2 * ldc);
            Sse.Prefetch0(c + 2 * ldc + 16);
            Sse.Prefetch0(c + 3 * ldc);
            Sse.Prefetch0(c + 3 * ldc + 16);
            Sse.Prefetch0(c + 4 * ldc);
            Sse.Prefetch0(c + 4 * ldc + 16);
            Sse.Prefetch0(c + 5 * ldc);
            Sse.Prefetch0(c + 5 * ldc + 16);
            Sse.Prefetch0(c + 6 * ldc);
            Sse.Prefetch0(c + 6 * ldc + 16);
            Sse.Prefetch0(c + 7 * ldc);
            Sse.Prefetch0(c + 7 * ldc + 16);
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector512.Create(a[1]);
            c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector512.Create(a[2]);
            c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector512.Create(a[3]);
            c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector512.Create(a[4]);
            c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector512.Create(a[5]);
            c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
            var a6 = Vector512.Create(a[6]);
            c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0);
            c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
            var a7 = Vector512.Create(a[7]);
            c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0);
            c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
            a += 8;
            b += 32;
        }
        var va = Vector512.Create(alpha);
        if (beta == 0)
        {
            Vector512.Store(c0_0 * va, c);
            Vector512.Store(c0_1 * va, c + 16);
            Vector512.Store(c1_0 * va, c + 1 * ldc);
            Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
            Vector512.Store(c2_0 * va, c + 2 * ldc);
            Vector512.Store(c2_1 * va, c + 2 * ldc + 16);
            Vector512.Store(c3_0 * va, c + 3 * ldc);
            Vector512.Store(c3_1 * va, c + 3 * ldc + 16);
            Vector512.Store(c4_0 * va, c + 4 * ldc);
            Vector512.Store(c4_1 * va, c + 4 * ldc + 16);
            Vector512.Store(c5_0 * va, c + 5 * ldc);
            Vector512.Store(c5_1 * va, c + 5 * ldc + 16);
            Vector512.Store(c6_0 * va, c + 6 * ldc);
            Vector512.Store(c6_1 * va, c + 6 * ldc + 16);
            Vector512.Store(c7_0 * va, c + 7 * ldc);
            Vector512.Store(c7_1 * va, c + 7 * ldc + 16);
        }
        else
        {
            var vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(c0_0, va, Vector512.Load(c) * vb), c);
            Vector512.Store(Vector512.FusedMultiplyAdd(c0_1, va, Vector512.Load(c + 16) * vb), c + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c1_0, va, Vector512.Load(c + 1 * ldc) * vb), c + 1 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c1_1, va, Vector512.Load(c + 1 * ldc + 16) * vb), c + 1 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c2_0, va, Vector512.Load(c + 2 * ldc) * vb), c + 2 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c2_1, va, Vector512.Load(c + 2 * ldc + 16) * vb), c + 2 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c3_0, va, Vector512.Load(c + 3 * ldc) * vb), c + 3 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c3_1, va, Vector512.Load(c + 3 * ldc + 16) * vb), c + 3 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c4_0, va, Vector512.Load(c + 4 * ldc) * vb), c + 4 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c4_1, va, Vector512.Load(c + 4 * ldc + 16) * vb), c + 4 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c5_0, va, Vector512.Load(c + 5 * ldc) * vb), c + 5 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c5_1, va, Vector512.Load(c + 5 * ldc + 16) * vb), c + 5 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c6_0, va, Vector512.Load(c + 6 * ldc) * vb), c + 6 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c6_1, va, Vector512.Load(c + 6 * ldc + 16) * vb), c + 6 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c7_0, va, Vector512.Load(c + 7 * ldc) * vb), c + 7 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c7_1, va, Vector512.Load(c + 7 * ldc + 16) * vb), c + 7 * ldc + 16);
        }
    }

    /// <summary>C[6×48] = alpha·Ap·Bp + beta·C (beta = 0: C is not read). Ap is kc×6, Bp is kc×48, both packed.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6x48(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c0_0 = default, c0_1 = default, c0_2 = default;
        Vector512<float> c1_0 = default, c1_1 = default, c1_2 = default;
        Vector512<float> c2_0 = default, c2_1 = default, c2_2 = default;
        Vector512<float> c3_0 = default, c3_1 = default, c3_2 = default;
        Vector512<float> c4_0 = default, c4_1 = default, c4_2 = default;
        Vector512<float> c5_0 = default, c5_1 = default, c5_2 = default;
        // Ask for the C tile now so that it is in cache when the k loop ends.
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(c);
            Sse.Prefetch0(c + 16);
            Sse.Prefetch0(c + 32);
            Sse.Prefetch0(c + 1 * ldc);
            Sse.Prefetch0(c + 1 * ldc + 16);
            Sse.Prefetch0(c + 1 * ldc + 32);
            Sse.Prefetch0(c + 2 * ldc);
            Sse.Prefetch0(c + 2 * ldc + 16);
            Sse.Prefetch0(c + 2 * ldc + 32);
            Sse.Prefetch0(c + 3 * ldc);
            Sse.Prefetch0(c + 3 * ldc + 16);
            Sse.Prefetch0(c + 3 * ldc + 32);
            Sse.Prefetch0(c + 4 * ldc);
            Sse.Prefetch0(c + 4 * ldc + 16);
            Sse.Prefetch0(c + 4 * ldc + 32);
            Sse.Prefetch0(c + 5 * ldc);
            Sse.Prefetch0(c + 5 * ldc + 16);
            Sse.Prefetch0(c + 5 * ldc + 32);
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var b2 = Vector512.Load(b + 32);
            var a0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            c0_2 = Vector512.FusedMultiplyAdd(a0, b2, c0_2);
            var a1 = Vector512.Create(a[1]);
            c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            c1_2 = Vector512.FusedMultiplyAdd(a1, b2, c1_2);
            var a2 = Vector512.Create(a[2]);
            c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            c2_2 = Vector512.FusedMultiplyAdd(a2, b2, c2_2);
            var a3 = Vector512.Create(a[3]);
            c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            c3_2 = Vector512.FusedMultiplyAdd(a3, b2, c3_2);
            var a4 = Vector512.Create(a[4]);
            c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
            c4_2 = Vector512.FusedMultiplyAdd(a4, b2, c4_2);
            var a5 = Vector512.Create(a[5]);
            c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
            c5_2 = Vector512.FusedMultiplyAdd(a5, b2, c5_2);
            a += 6;
            b += 48;
        }
        var va = Vector512.Create(alpha);
        if (beta == 0)
        {
            Vector512.Store(c0_0 * va, c);
            Vector512.Store(c0_1 * va, c + 16);
            Vector512.Store(c0_2 * va, c + 32);
            Vector512.Store(c1_0 * va, c + 1 * ldc);
            Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
            Vector512.Store(c1_2 * va, c + 1 * ldc + 32);
            Vector512.Store(c2_0 * va, c + 2 * ldc);
            Vector512.Store(c2_1 * va, c + 2 * ldc + 16);
            Vector512.Store(c2_2 * va, c + 2 * ldc + 32);
            Vector512.Store(c3_0 * va, c + 3 * ldc);
            Vector512.Store(c3_1 * va, c + 3 * ldc + 16);
            Vector512.Store(c3_2 * va, c + 3 * ldc + 32);
            Vector512.Store(c4_0 * va, c + 4 * ldc);
            Vector512.Store(c4_1 * va, c + 4 * ldc + 16);
            Vector512.Store(c4_2 * va, c + 4 * ldc + 32);
            Vector512.Store(c5_0 * va, c + 5 * ldc);
            Vector512.Store(c5_1 * va, c + 5 * ldc + 16);
            Vector512.Store(c5_2 * va, c + 5 * ldc + 32);
        }
        else
        {
            var vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(c0_0, va, Vector512.Load(c) * vb), c);
            Vector512.Store(Vector512.FusedMultiplyAdd(c0_1, va, Vector512.Load(c + 16) * vb), c + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c0_2, va, Vector512.Load(c + 32) * vb), c + 32);
            Vector512.Store(Vector512.FusedMultiplyAdd(c1_0, va, Vector512.Load(c + 1 * ldc) * vb), c + 1 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c1_1, va, Vector512.Load(c + 1 * ldc + 16) * vb), c + 1 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c1_2, va, Vector512.Load(c + 1 * ldc + 32) * vb), c + 1 * ldc + 32);
            Vector512.Store(Vector512.FusedMultiplyAdd(c2_0, va, Vector512.Load(c + 2 * ldc) * vb), c + 2 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c2_1, va, Vector512.Load(c + 2 * ldc + 16) * vb), c + 2 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c2_2, va, Vector512.Load(c + 2 * ldc + 32) * vb), c + 2 * ldc + 32);
            Vector512.Store(Vector512.FusedMultiplyAdd(c3_0, va, Vector512.Load(c + 3 * ldc) * vb), c + 3 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c3_1, va, Vector512.Load(c + 3 * ldc + 16) * vb), c + 3 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c3_2, va, Vector512.Load(c + 3 * ldc + 32) * vb), c + 3 * ldc + 32);
            Vector512.Store(Vector512.FusedMultiplyAdd(c4_0, va, Vector512.Load(c + 4 * ldc) * vb), c + 4 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c4_1, va, Vector512.Load(c + 4 * ldc + 16) * vb), c + 4 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c4_2, va, Vector512.Load(c + 4 * ldc + 32) * vb), c + 4 * ldc + 32);
            Vector512.Store(Vector512.FusedMultiplyAdd(c5_0, va, Vector512.Load(c + 5 * ldc) * vb), c + 5 * ldc);
            Vector512.Store(Vector512.FusedMultiplyAdd(c5_1, va, Vector512.Load(c + 5 * ldc + 16) * vb), c + 5 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(c5_2, va, Vector512.Load(c + 5 * ldc + 32) * vb), c + 5 * ldc + 32);
        }
    }

    /// <summary>C[6×16] = alpha·Ap·Bp + beta·C (beta = 0: C is not read). Ap is kc×6, Bp is kc×16, both packed.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6x16(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        Vector256<float> c0_0 = default, c0_1 = default;
        Vector256<float> c1_0 = default, c1_1 = default;
        Vector256<float> c2_0 = default, c2_1 = default;
        Vector256<float> c3_0 = default, c3_1 = default;
        Vector256<float> c4_0 = default, c4_1 = default;
        Vector256<float> c5_0 = default, c5_1 = default;
        // Ask for the C tile now so that it is in cache when the k loop ends.
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(c);
            Sse.Prefetch0(c + 1 * ldc);
            Sse.Prefetch0(c + 2 * ldc);
            Sse.Prefetch0(c + 3 * ldc);
            Sse.Prefetch0(c + 4 * ldc);
            Sse.Prefetch0(c + 5 * ldc);
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c0_0 = Vector256.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector256.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector256.Create(a[1]);
            c1_0 = Vector256.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector256.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector256.Create(a[2]);
            c2_0 = Vector256.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector256.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector256.Create(a[3]);
            c3_0 = Vector256.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector256.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector256.Create(a[4]);
            c4_0 = Vector256.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector256.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector256.Create(a[5]);
            c5_0 = Vector256.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector256.FusedMultiplyAdd(a5, b1, c5_1);
            a += 6;
            b += 16;
        }
        var va = Vector256.Create(alpha);
        if (beta == 0)
        {
            Vector256.Store(c0_0 * va, c);
            Vector256.Store(c0_1 * va, c + 8);
            Vector256.Store(c1_0 * va, c + 1 * ldc);
            Vector256.Store(c1_1 * va, c + 1 * ldc + 8);
            Vector256.Store(c2_0 * va, c + 2 * ldc);
            Vector256.Store(c2_1 * va, c + 2 * ldc + 8);
            Vector256.Store(c3_0 * va, c + 3 * ldc);
            Vector256.Store(c3_1 * va, c + 3 * ldc + 8);
            Vector256.Store(c4_0 * va, c + 4 * ldc);
            Vector256.Store(c4_1 * va, c + 4 * ldc + 8);
            Vector256.Store(c5_0 * va, c + 5 * ldc);
            Vector256.Store(c5_1 * va, c + 5 * ldc + 8);
        }
        else
        {
            var vb = Vector256.Create(beta);
            Vector256.Store(Vector256.FusedMultiplyAdd(c0_0, va, Vector256.Load(c) * vb), c);
            Vector256.Store(Vector256.FusedMultiplyAdd(c0_1, va, Vector256.Load(c + 8) * vb), c + 8);
            Vector256.Store(Vector256.FusedMultiplyAdd(c1_0, va, Vector256.Load(c + 1 * ldc) * vb), c + 1 * ldc);
            Vector256.Store(Vector256.FusedMultiplyAdd(c1_1, va, Vector256.Load(c + 1 * ldc + 8) * vb), c + 1 * ldc + 8);
            Vector256.Store(Vector256.FusedMultiplyAdd(c2_0, va, Vector256.Load(c + 2 * ldc) * vb), c + 2 * ldc);
            Vector256.Store(Vector256.FusedMultiplyAdd(c2_1, va, Vector256.Load(c + 2 * ldc + 8) * vb), c + 2 * ldc + 8);
            Vector256.Store(Vector256.FusedMultiplyAdd(c3_0, va, Vector256.Load(c + 3 * ldc) * vb), c + 3 * ldc);
            Vector256.Store(Vector256.FusedMultiplyAdd(c3_1, va, Vector256.Load(c + 3 * ldc + 8) * vb), c + 3 * ldc + 8);
            Vector256.Store(Vector256.FusedMultiplyAdd(c4_0, va, Vector256.Load(c + 4 * ldc) * vb), c + 4 * ldc);
            Vector256.Store(Vector256.FusedMultiplyAdd(c4_1, va, Vector256.Load(c + 4 * ldc + 8) * vb), c + 4 * ldc + 8);
            Vector256.Store(Vector256.FusedMultiplyAdd(c5_0, va, Vector256.Load(c + 5 * ldc) * vb), c + 5 * ldc);
            Vector256.Store(Vector256.FusedMultiplyAdd(c5_1, va, Vector256.Load(c + 5 * ldc + 8) * vb), c + 5 * ldc + 8);
        }
    }
}
