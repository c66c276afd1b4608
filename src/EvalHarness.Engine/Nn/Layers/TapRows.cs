using System.Numerics;
using System.Runtime.CompilerServices;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// The inner kernel of direct (depthwise) convolution along a row with unit stride:
/// output[j] += Σ_r Σ_t coef[r·taps + t] · src[rowStarts[r] + j + first + t·step], leaving out the
/// terms whose column j + first + t·step falls outside [0, srcWidth) (zero padding). Columns where
/// every tap is inside are done with SIMD, keeping the sum in registers over all rows and taps.
/// </summary>
internal static class TapRows
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Accumulate(Span<float> output, ReadOnlySpan<float> src, int srcWidth,
        ReadOnlySpan<int> rowStarts, ReadOnlySpan<float> coef, int taps, int first, int step)
    {
        int last = first + (taps - 1) * step;
        int minOffset = Math.Min(first, last), maxOffset = Math.Max(first, last);
        int lo = Math.Clamp(-minOffset, 0, output.Length);
        int hi = Math.Clamp(srcWidth - maxOffset, lo, output.Length);
        int j = lo;
        int count = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated && hi - lo >= count)
        {
            // The last chunk is computed first from the untouched outputs and stored last, so it may
            // overlap the chunk before it: both hold the same sums there.
            var tail = Chunk(output, hi - count, src, rowStarts, coef, taps, first, step);
            for (; j + count <= hi; j += count)
                Chunk(output, j, src, rowStarts, coef, taps, first, step).CopyTo(output.Slice(j));
            tail.CopyTo(output.Slice(hi - count));
            j = hi;
        }
        Scalar(output, 0, lo, src, srcWidth, rowStarts, coef, taps, first, step);
        Scalar(output, j, output.Length, src, srcWidth, rowStarts, coef, taps, first, step);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Chunk(Span<float> output, int j, ReadOnlySpan<float> src,
        ReadOnlySpan<int> rowStarts, ReadOnlySpan<float> coef, int taps, int first, int step)
    {
        var acc = new Vector<float>(output.Slice(j));
        for (int r = 0; r < rowStarts.Length; r++)
        {
            int at = rowStarts[r] + j + first;
            var c = coef.Slice(r * taps, taps);
            for (int t = 0; t < c.Length; t++, at += step)
                acc = Vector.FusedMultiplyAdd(new Vector<float>(c[t]), new Vector<float>(src.Slice(at)), acc);
        }
        return acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scalar(Span<float> output, int from, int to, ReadOnlySpan<float> src, int srcWidth,
        ReadOnlySpan<int> rowStarts, ReadOnlySpan<float> coef, int taps, int first, int step)
    {
        for (int j = from; j < to; j++)
        {
            float sum = output[j];
            for (int r = 0; r < rowStarts.Length; r++)
            {
                for (int t = 0; t < taps; t++)
                {
                    int column = j + first + t * step;
                    if ((uint)column < (uint)srcWidth) sum += coef[r * taps + t] * src[rowStarts[r] + column];
                }
            }
            output[j] = sum;
        }
    }
}
