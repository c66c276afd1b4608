using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// F(4×4, 3×3) (Lavin &amp; Gray 2016, section 4.2, interpolation points 0, ±1, ±2, ∞):
/// Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1],
/// G = [¼ 0 0; −⅙ −⅙ −⅙; −⅙ ⅙ −⅙; 1/24 1/12 ⅙; 1/24 −1/12 ⅙; 0 0 1],
/// Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1].
/// 36 products per 16 outputs (4× fewer multiplies than direct), but the sums in the transformed
/// domain are larger than the outputs, so rounding errors grow about 5× over direct convolution.
/// </summary>
[SkipLocalsInit]
internal sealed unsafe class WinogradF4x3 : WinogradTransform
{
    public static WinogradF4x3 Instance { get; } = new();

    public override int Tile => 4;

    public override int RowReach => 80;

    public override string Name => "F(4x4,3x3)";

    public override void Kernel(ReadOnlySpan<double> g, Span<double> u)
    {
        Span<double> gg = stackalloc double[18]; // G g: 6×3
        for (int v = 0; v < 3; v++)
            Transform(g[v], g[3 + v], g[6 + v], out gg[v], out gg[3 + v], out gg[6 + v], out gg[9 + v], out gg[12 + v], out gg[15 + v]);
        for (int r = 0; r < 6; r++)
            Transform(gg[3 * r], gg[3 * r + 1], gg[3 * r + 2],
                out u[6 * r], out u[6 * r + 1], out u[6 * r + 2], out u[6 * r + 3], out u[6 * r + 4], out u[6 * r + 5]);

        static void Transform(double a, double b, double c, out double t0, out double t1, out double t2, out double t3, out double t4, out double t5)
        {
            t0 = a / 4;
            t1 = -(a + b + c) / 6;
            t2 = -(a - b + c) / 6;
            t3 = a / 24 + b / 12 + c / 6;
            t4 = a / 24 - b / 12 + c / 6;
            t5 = c;
        }
    }

    // Permutation constants are created where used: Vector512.Create with constant arguments compiles to a
    // constant load, whereas static readonly vector fields cost a class-initialisation check per use in
    // methods compiled with AggressiveOptimization.

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Input(float* src, nint ld, int rowLo, int rowHi, Vector512<float>* colMasks, in LaneDestination dest)
    {
        // d B for each of the 6 rows (along the row, lanes = tiles), kept in a small buffer; then Bᵀ down
        // each of the 6 columns, stored as positions (ξr, ξc).
        float* rows = stackalloc float[36 * Lanes];
        for (int i = 0; i < 6; i++)
        {
            float* o = rows + i * 6 * Lanes;
            if (i < rowLo || i >= rowHi)
            {
                new Span<float>(o, 6 * Lanes).Clear();
                continue;
            }
            LoadRow(src + i * ld, out var d0, out var d1, out var d2, out var d3, out var d4, out var d5);
            if (colMasks != null)
            {
                d0 &= colMasks[0];
                d1 &= colMasks[1];
                d2 &= colMasks[2];
                d3 &= colMasks[3];
                d4 &= colMasks[4];
                d5 &= colMasks[5];
            }
            Transform(d0, d1, d2, d3, d4, d5, out var r0, out var r1, out var r2, out var r3, out var r4, out var r5);
            r0.Store(o);
            r1.Store(o + Lanes);
            r2.Store(o + 2 * Lanes);
            r3.Store(o + 3 * Lanes);
            r4.Store(o + 4 * Lanes);
            r5.Store(o + 5 * Lanes);
        }
        for (int j = 0; j < 6; j++)
        {
            float* c = rows + j * Lanes;
            const int down = 6 * Lanes;
            Transform(Vector512.Load(c), Vector512.Load(c + down), Vector512.Load(c + 2 * down),
                Vector512.Load(c + 3 * down), Vector512.Load(c + 4 * down), Vector512.Load(c + 5 * down),
                out var r0, out var r1, out var r2, out var r3, out var r4, out var r5);
            dest.Store(j, r0);
            dest.Store(6 + j, r1);
            dest.Store(12 + j, r2);
            dest.Store(18 + j, r3);
            dest.Store(24 + j, r4);
            dest.Store(30 + j, r5);
        }
    }

    /// <summary>Columns 0..5 of 16 tiles from one row: the row's 4 column phases, and phases 0, 1 one tile further.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadRow(float* s, out Vector512<float> d0, out Vector512<float> d1, out Vector512<float> d2,
        out Vector512<float> d3, out Vector512<float> d4, out Vector512<float> d5)
    {
        var v0 = Vector512.Load(s);
        var v1 = Vector512.Load(s + 16);
        var v2 = Vector512.Load(s + 32);
        var v3 = Vector512.Load(s + 48);
        var v4 = Vector512.Load(s + 64);
        // Phase r of 64 values: lanes 0..7 from v0:v1, lanes 8..15 from v2:v3 (same indices), then merged.
        var upper = Vector512.Create(0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1).AsSingle();
        var i0 = Vector512.Create(0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28);
        var i1 = Vector512.Create(1, 5, 9, 13, 17, 21, 25, 29, 1, 5, 9, 13, 17, 21, 25, 29);
        var i2 = Vector512.Create(2, 6, 10, 14, 18, 22, 26, 30, 2, 6, 10, 14, 18, 22, 26, 30);
        var i3 = Vector512.Create(3, 7, 11, 15, 19, 23, 27, 31, 3, 7, 11, 15, 19, 23, 27, 31);
        d0 = Vector512.ConditionalSelect(upper, Avx512F.PermuteVar16x32x2(v2, i0, v3), Avx512F.PermuteVar16x32x2(v0, i0, v1));
        d1 = Vector512.ConditionalSelect(upper, Avx512F.PermuteVar16x32x2(v2, i1, v3), Avx512F.PermuteVar16x32x2(v0, i1, v1));
        d2 = Vector512.ConditionalSelect(upper, Avx512F.PermuteVar16x32x2(v2, i2, v3), Avx512F.PermuteVar16x32x2(v0, i2, v1));
        d3 = Vector512.ConditionalSelect(upper, Avx512F.PermuteVar16x32x2(v2, i3, v3), Avx512F.PermuteVar16x32x2(v0, i3, v1));
        d4 = Avx512F.PermuteVar16x32x2(d0, Vector512.Create(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16), v4);
        d5 = Avx512F.PermuteVar16x32x2(d1, Vector512.Create(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17), v4);
    }

    /// <summary>Bᵀ applied to (d0..d5).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transform(Vector512<float> d0, Vector512<float> d1, Vector512<float> d2, Vector512<float> d3, Vector512<float> d4, Vector512<float> d5,
        out Vector512<float> r0, out Vector512<float> r1, out Vector512<float> r2, out Vector512<float> r3, out Vector512<float> r4, out Vector512<float> r5)
    {
        var four = Vector512.Create(4f);
        var minusFive = Vector512.Create(-5f);
        var two = Vector512.Create(2f);
        r0 = Vector512.FusedMultiplyAdd(four, d0, Vector512.FusedMultiplyAdd(minusFive, d2, d4));
        r1 = Vector512.FusedMultiplyAdd(-four, d1 + d2, d3 + d4);
        r2 = Vector512.FusedMultiplyAdd(four, d1 - d2, d4 - d3);
        r3 = Vector512.FusedMultiplyAdd(two, d3 - d1, d4 - d2);
        r4 = Vector512.FusedMultiplyAdd(-two, d3 - d1, d4 - d2);
        r5 = Vector512.FusedMultiplyAdd(four, d1, Vector512.FusedMultiplyAdd(minusFive, d3, d5));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Output(float* m, nint positionStride, float bias, float* dst, nint ldy, int rows, int cols)
    {
        // Aᵀ down each column ξc (over ξr) into a small buffer, then along each output row.
        float* s = stackalloc float[24 * Lanes];
        nint step = 6 * positionStride;
        for (int xc = 0; xc < 6; xc++)
        {
            float* p = m + xc * positionStride;
            Transform(Vector512.Load(p), Vector512.Load(p + step), Vector512.Load(p + 2 * step),
                Vector512.Load(p + 3 * step), Vector512.Load(p + 4 * step), Vector512.Load(p + 5 * step),
                out var o0, out var o1, out var o2, out var o3);
            o0.Store(s + xc * Lanes);
            o1.Store(s + (6 + xc) * Lanes);
            o2.Store(s + (12 + xc) * Lanes);
            o3.Store(s + (18 + xc) * Lanes);
        }
        var vb = Vector512.Create(bias);
        for (int oi = 0; oi < rows; oi++)
        {
            float* e = s + oi * 6 * Lanes;
            Transform(Vector512.Load(e), Vector512.Load(e + Lanes), Vector512.Load(e + 2 * Lanes),
                Vector512.Load(e + 3 * Lanes), Vector512.Load(e + 4 * Lanes), Vector512.Load(e + 5 * Lanes),
                out var y0, out var y1, out var y2, out var y3);
            WriteRow(y0 + vb, y1 + vb, y2 + vb, y3 + vb, dst + oi * ldy, cols);
        }
    }

    /// <summary>Aᵀ applied to (m0..m5).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transform(Vector512<float> m0, Vector512<float> m1, Vector512<float> m2, Vector512<float> m3, Vector512<float> m4, Vector512<float> m5,
        out Vector512<float> o0, out Vector512<float> o1, out Vector512<float> o2, out Vector512<float> o3)
    {
        var sum12 = m1 + m2;
        var dif12 = m1 - m2;
        var sum34 = m3 + m4;
        var dif34 = m3 - m4;
        o0 = m0 + sum12 + sum34;
        o1 = Vector512.FusedMultiplyAdd(Vector512.Create(2f), dif34, dif12);
        o2 = Vector512.FusedMultiplyAdd(Vector512.Create(4f), sum34, sum12);
        o3 = Vector512.FusedMultiplyAdd(Vector512.Create(8f), dif34, dif12 + m5);
    }

    /// <summary>dst[4t + r] = p_r[t] for the first <paramref name="cols"/> of the 64 values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteRow(Vector512<float> p0, Vector512<float> p1, Vector512<float> p2, Vector512<float> p3, float* dst, int cols)
    {
        // Pairs: lane 2t + s = p_s[t] (t < 8, then t ≥ 8); quads from two pair vectors.
        var pairLow = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        var pairHigh = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        var quadLow = Vector512.Create(0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
        var quadHigh = Vector512.Create(8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);
        var a01 = Avx512F.PermuteVar16x32x2(p0, pairLow, p1);
        var b01 = Avx512F.PermuteVar16x32x2(p0, pairHigh, p1);
        var a23 = Avx512F.PermuteVar16x32x2(p2, pairLow, p3);
        var b23 = Avx512F.PermuteVar16x32x2(p2, pairHigh, p3);
        var q0 = Avx512F.PermuteVar16x32x2(a01, quadLow, a23);
        var q1 = Avx512F.PermuteVar16x32x2(a01, quadHigh, a23);
        var q2 = Avx512F.PermuteVar16x32x2(b01, quadLow, b23);
        var q3 = Avx512F.PermuteVar16x32x2(b01, quadHigh, b23);
        if (cols == 64)
        {
            q0.Store(dst);
            q1.Store(dst + 16);
            q2.Store(dst + 32);
            q3.Store(dst + 48);
            return;
        }
        StoreRun(q0, dst, cols);
        StoreRun(q1, dst + 16, cols - 16);
        StoreRun(q2, dst + 32, cols - 32);
        StoreRun(q3, dst + 48, cols - 48);
    }
}
