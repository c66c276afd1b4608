using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// F(2×2, 3×3) (Lavin &amp; Gray 2016, section 4.1): Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],
/// G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1], Aᵀ = [1 1 1 0; 0 1 −1 −1]. 16 products per 4 outputs instead of
/// 36 (2.25× fewer multiplies), with transforms that only add: its rounding is close to direct convolution's.
/// </summary>
[SkipLocalsInit]
internal sealed unsafe class WinogradF2x3 : WinogradTransform
{
    public static WinogradF2x3 Instance { get; } = new();

    public override int Tile => 2;

    public override int RowReach => 48;

    public override string Name => "F(2x2,3x3)";

    public override void Kernel(ReadOnlySpan<double> g, Span<double> u)
    {
        Span<double> gg = stackalloc double[12]; // G g: 4×3
        for (int v = 0; v < 3; v++)
            Transform(g[v], g[3 + v], g[6 + v], out gg[v], out gg[3 + v], out gg[6 + v], out gg[9 + v]);
        for (int r = 0; r < 4; r++)
            Transform(gg[3 * r], gg[3 * r + 1], gg[3 * r + 2], out u[4 * r], out u[4 * r + 1], out u[4 * r + 2], out u[4 * r + 3]);

        static void Transform(double a, double b, double c, out double t0, out double t1, out double t2, out double t3)
        {
            t0 = a;
            t1 = (a + b + c) / 2;
            t2 = (a - b + c) / 2;
            t3 = c;
        }
    }

    // Permutation constants are created where used: Vector512.Create with constant arguments compiles to a
    // constant load, whereas static readonly vector fields cost a class-initialisation check per use in
    // methods compiled with AggressiveOptimization.

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Input(float* src, nint ld, int rowLo, int rowHi, Vector512<float>* colMasks, in LaneDestination dest)
    {
        // d B along each row (columns j = 0..3 of the 16 tiles are the row's even/odd phases, the last two
        // shifted by one tile), then Bᵀ down each column, stored as positions (ξr, j).
        Vector512<float> a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3, e0, e1, e2, e3;
        Row(src, 0, rowLo, rowHi, colMasks, out a0, out a1, out a2, out a3);
        Row(src + ld, 1, rowLo, rowHi, colMasks, out b0, out b1, out b2, out b3);
        Row(src + 2 * ld, 2, rowLo, rowHi, colMasks, out c0, out c1, out c2, out c3);
        Row(src + 3 * ld, 3, rowLo, rowHi, colMasks, out e0, out e1, out e2, out e3);
        Column(a0, b0, c0, e0, dest, 0);
        Column(a1, b1, c1, e1, dest, 1);
        Column(a2, b2, c2, e2, dest, 2);
        Column(a3, b3, c3, e3, dest, 3);
    }

    /// <summary>d B for row i of the 16 tiles: r_j for j = 0..3 (zero for a padding row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row(float* s, int i, int rowLo, int rowHi, Vector512<float>* colMasks,
        out Vector512<float> r0, out Vector512<float> r1, out Vector512<float> r2, out Vector512<float> r3)
    {
        if (i < rowLo || i >= rowHi)
        {
            r0 = r1 = r2 = r3 = Vector512<float>.Zero;
            return;
        }
        var v0 = Vector512.Load(s);
        var v1 = Vector512.Load(s + 16);
        var v2 = Vector512.Load(s + 32);
        var d0 = Avx512F.PermuteVar16x32x2(v0, Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), v1);
        var d1 = Avx512F.PermuteVar16x32x2(v0, Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), v1);
        var d2 = Avx512F.PermuteVar16x32x2(d0, Vector512.Create(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16), v2);
        var d3 = Avx512F.PermuteVar16x32x2(d1, Vector512.Create(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17), v2);
        if (colMasks != null)
        {
            d0 &= colMasks[0];
            d1 &= colMasks[1];
            d2 &= colMasks[2];
            d3 &= colMasks[3];
        }
        r0 = d0 - d2;
        r1 = d1 + d2;
        r2 = d2 - d1;
        r3 = d1 - d3;
    }

    /// <summary>Bᵀ applied down column j of the row results; stores positions (ξr, j) for ξr = 0..3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Column(Vector512<float> d0, Vector512<float> d1, Vector512<float> d2, Vector512<float> d3, in LaneDestination dest, int j)
    {
        dest.Store(j, d0 - d2);
        dest.Store(4 + j, d1 + d2);
        dest.Store(8 + j, d2 - d1);
        dest.Store(12 + j, d1 - d3);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Output(float* m, nint positionStride, float bias, float* dst, nint ldy, int rows, int cols)
    {
        // Aᵀ down the columns (over ξr), then along the rows (over ξc).
        var s0 = Combine(m, positionStride, 0, out var t0);
        var s1 = Combine(m, positionStride, 1, out var t1);
        var s2 = Combine(m, positionStride, 2, out var t2);
        var s3 = Combine(m, positionStride, 3, out var t3);
        var vb = Vector512.Create(bias);
        WriteRow(s0 + s1 + s2 + vb, s1 - s2 - s3 + vb, dst, cols);
        if (rows > 1) WriteRow(t0 + t1 + t2 + vb, t1 - t2 - t3 + vb, dst + ldy, cols);
    }

    /// <summary>Column ξc of Aᵀ M: (o0, o1) = (m0 + m1 + m2, m1 − m2 − m3) over ξr.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Combine(float* m, nint positionStride, int xc, out Vector512<float> second)
    {
        float* p = m + xc * positionStride;
        nint step = 4 * positionStride;
        var m0 = Vector512.Load(p);
        var m1 = Vector512.Load(p + step);
        var m2 = Vector512.Load(p + 2 * step);
        var m3 = Vector512.Load(p + 3 * step);
        second = m1 - m2 - m3;
        return m0 + m1 + m2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteRow(Vector512<float> p0, Vector512<float> p1, float* dst, int cols)
    {
        var lo = Avx512F.PermuteVar16x32x2(p0, Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), p1);
        var hi = Avx512F.PermuteVar16x32x2(p0, Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), p1);
        if (cols == 32)
        {
            lo.Store(dst);
            hi.Store(dst + 16);
            return;
        }
        StoreRun(lo, dst, cols);
        StoreRun(hi, dst + 16, cols - 16);
    }
}
