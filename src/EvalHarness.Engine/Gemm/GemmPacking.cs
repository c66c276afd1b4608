using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EvalHarness.Engine.Gemm;

/// <summary>
/// Packs a kc-long slice of a matrix into a panel of width w, stored k-major: dst[p·w + r]. Panels
/// narrower than w are padded with zeros so the micro-kernel always runs at full width.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>dst[p·w + r] = src[p·ld + r] for r &lt; width: the panel's values are contiguous per k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackRows(float* src, nint ld, int width, int w, int kc, float* dst)
    {
        for (int p = 0; p < kc; p++)
        {
            float* s = src + p * ld;
            float* d = dst + (nint)p * w;
            int r = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; r + 16 <= width; r += 16) Vector512.Store(Vector512.Load(s + r), d + r);
            for (; r + 8 <= width; r += 8) Vector256.Store(Vector256.Load(s + r), d + r);
            for (; r < width; r++) d[r] = s[r];
            for (; r < w; r++) d[r] = 0;
        }
    }

    /// <summary>
    /// Packs consecutive panels of width w covering <paramref name="width"/> values per k from rows
    /// that are contiguous per k (as <see cref="PackRows"/> per panel, panel i at dst + i·w·kc), but
    /// reading each source row once from left to right, which the hardware prefetcher follows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackRowsBlock(float* src, nint ld, int width, int w, int kc, float* dst)
    {
        int fullPanels = width / w, rest = width - fullPanels * w;
        nint panelStride = (nint)w * kc;
        for (int p = 0; p < kc; p++)
        {
            float* s = src + p * ld;
            float* d = dst + (nint)p * w;
            for (int i = 0; i < fullPanels; i++, s += w, d += panelStride)
            {
                int r = 0;
                if (Vector512.IsHardwareAccelerated)
                    for (; r + 16 <= w; r += 16) Vector512.Store(Vector512.Load(s + r), d + r);
                for (; r + 8 <= w; r += 8) Vector256.Store(Vector256.Load(s + r), d + r);
                for (; r < w; r++) d[r] = s[r];
            }
            if (rest > 0)
            {
                int r = 0;
                for (; r < rest; r++) d[r] = s[r];
                for (; r < w; r++) d[r] = 0;
            }
        }
    }

    /// <summary>dst[p·w + r] = src[r·ld + p] for r &lt; width: the panel's values are contiguous along k (a transpose).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackColumns(float* src, nint ld, int width, int w, int kc, float* dst)
    {
        int r = 0;
        if (Avx.IsSupported)
        {
            for (; r + 8 <= width; r += 8)
            {
                int p = 0;
                for (; p + 8 <= kc; p += 8) Transpose8x8(src + r * ld + p, ld, dst + (nint)p * w + r, w);
                for (; p < kc; p++)
                {
                    float* d = dst + (nint)p * w + r;
                    float* s = src + r * ld + p;
                    for (int q = 0; q < 8; q++) d[q] = s[q * ld];
                }
            }
        }
        for (; r + 4 <= width; r += 4)
        {
            float* s0 = src + r * ld, s1 = s0 + ld, s2 = s1 + ld, s3 = s2 + ld;
            float* d = dst + r;
            for (int p = 0; p < kc; p++, d += w)
            {
                d[0] = s0[p];
                d[1] = s1[p];
                d[2] = s2[p];
                d[3] = s3[p];
            }
        }
        for (; r < width; r++)
        {
            float* s = src + r * ld;
            for (int p = 0; p < kc; p++) dst[(nint)p * w + r] = s[p];
        }
        if (width < w)
            for (int p = 0; p < kc; p++) new Span<float>(dst + (nint)p * w + width, w - width).Clear();
    }

    /// <summary>Writes the transpose of the 8×8 block at src (row stride ld) to dst (row stride dstLd).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint ld, float* dst, nint dstLd)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + ld);
        var r2 = Avx.LoadVector256(src + 2 * ld);
        var r3 = Avx.LoadVector256(src + 3 * ld);
        var r4 = Avx.LoadVector256(src + 4 * ld);
        var r5 = Avx.LoadVector256(src + 5 * ld);
        var r6 = Avx.LoadVector256(src + 6 * ld);
        var r7 = Avx.LoadVector256(src + 7 * ld);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + dstLd, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * dstLd, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * dstLd, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * dstLd, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * dstLd, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * dstLd, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * dstLd, Avx.Permute2x128(s3, s7, 0x31));
    }
}
