using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// AVX-512 paths of <see cref="MaxPool2d"/> for stride 2 and 2×2 or 3×3 windows without dilation (VGG,
/// ResNet, SqueezeNet): 16 outputs of a row at once, the even and odd input columns split apart with
/// two-source permutes. Each method handles the outputs whose windows lie inside the image and leaves the
/// rest to the scalar code; results are identical to it (NaN propagates; backward routes each gradient to
/// the first input in scan order equal to the forward output, and leaves windows whose output is NaN or
/// not found to the scalar scan).
/// </summary>
internal static unsafe class MaxPoolStride2
{
    private const int Lanes = 16;

    public static bool Supports(in ConvWindow w) =>
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated && w.StrideW == 2 && w.DilationW == 1
        && (w.KernelW == 2 || w.KernelW == 3);

    /// <summary>Outputs [lo, hi) of a row whose window columns 2·ow − pad + [0, k) lie inside [0, width), rounded to whole vectors.</summary>
    public static (int Lo, int Hi) Interior(in ConvWindow w)
    {
        int lo = (w.PadW + 1) / 2;
        // A vector of outputs from ow0 reads columns 2·ow0 − pad + [0, 32) and, for 3×3 windows, one more:
        // exactly the columns of its last window.
        int hi = lo;
        while (hi + Lanes <= w.OutWidth && 2 * (hi + Lanes - 1) - w.PadW + Math.Max(w.KernelW, 2) <= w.Width) hi += Lanes;
        return (lo, hi);
    }

    /// <summary>y[ow] = max over the window columns of rowMax, for ow in [lo, hi) (a whole number of vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardRow(float* rowMax, float* y, int lo, int hi, int pad, int kernel)
    {
        var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var odd = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        var next = Vector512.Create(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
        for (int ow = lo; ow < hi; ow += Lanes)
        {
            float* s = rowMax + 2 * ow - pad;
            var v0 = Vector512.Load(s);
            var v1 = Vector512.Load(s + 16);
            var e = Avx512F.PermuteVar16x32x2(v0, even, v1);
            var m = Vector512.Max(e, Avx512F.PermuteVar16x32x2(v0, odd, v1));
            if (kernel == 3) m = Vector512.Max(m, Avx512F.PermuteVar16x32x2(e, next, Vector512.CreateScalarUnsafe(s[32])));
            m.Store(y + ow);
        }
    }

    /// <summary>
    /// For outputs [lo, hi) of one output row whose window rows (rowCount of them, from input row ih0) are all
    /// inside: adds go to gx at the first input equal to y in scan order. unmatched[chunk] gets a bit per
    /// output of each vector that matched no input (a NaN output, or an output not from this input): the
    /// caller routes those with the scalar scan.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardRow(float* x, float* gx, int width, int ih0, int rowCount, float* y, float* go,
        int lo, int hi, int pad, int kernel, Span<ushort> unmatched)
    {
        var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var odd = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        var next = Vector512.Create(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
        var pairLow = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        var pairHigh = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        for (int ow = lo, chunk = 0; ow < hi; ow += Lanes, chunk++)
        {
            var target = Vector512.Load(y + ow);
            var grad = Vector512.Load(go + ow);
            var found = Vector512<float>.Zero;
            int col = 2 * ow - pad;
            for (int r = 0; r < rowCount; r++)
            {
                float* s = x + (long)(ih0 + r) * width + col;
                float* g = gx + (long)(ih0 + r) * width + col;
                var v0 = Vector512.Load(s);
                var v1 = Vector512.Load(s + 16);
                var e = Avx512F.PermuteVar16x32x2(v0, even, v1);
                var o = Avx512F.PermuteVar16x32x2(v0, odd, v1);
                var pick0 = Vector512.AndNot(Vector512.Equals(e, target), found);
                found |= pick0;
                var pick1 = Vector512.AndNot(Vector512.Equals(o, target), found);
                found |= pick1;
                var c0 = grad & pick0;
                var c1 = grad & pick1;
                if (kernel == 3)
                {
                    var e2 = Avx512F.PermuteVar16x32x2(e, next, Vector512.CreateScalarUnsafe(s[32]));
                    var pick2 = Vector512.AndNot(Vector512.Equals(e2, target), found);
                    found |= pick2;
                    // Column col + 2t + 2 is shared with the next window's first column: adding this window's
                    // share first keeps PyTorch's order of the sums (output by output).
                    var c2 = grad & pick2;
                    var zero = Vector512<float>.Zero;
                    (Vector512.Load(g + 2) + Avx512F.PermuteVar16x32x2(c2, pairLow, zero)).Store(g + 2);
                    // Its last lane is column col + 33, past the windows: leave it alone (it may be the next plane's).
                    var first15 = Vector512.Create(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0).AsSingle();
                    Avx512F.MaskStore(g + 18, first15, Avx512F.MaskLoad(g + 18, first15, zero) + Avx512F.PermuteVar16x32x2(c2, pairHigh, zero));
                }
                // Columns col + 2t and col + 2t + 1, interleaved back into input order.
                (Vector512.Load(g) + Avx512F.PermuteVar16x32x2(c0, pairLow, c1)).Store(g);
                (Vector512.Load(g + 16) + Avx512F.PermuteVar16x32x2(c0, pairHigh, c1)).Store(g + 16);
            }
            unmatched[chunk] = (ushort)~Vector512.ExtractMostSignificantBits(found);
        }
    }
}
