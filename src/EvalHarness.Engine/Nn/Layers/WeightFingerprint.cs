using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// A 64-bit fingerprint of a float array's bits, cheap enough to recompute on every layer call (it runs
/// at memory bandwidth). Every value feeds two accumulators per lane position, a' = rotl(a, 7) + v and
/// b' = rotl(b, 13) ^ v; each step is a bijection of the accumulator and of v, so changing any single
/// value always changes the fingerprint, and several changes can only cancel out in both the additive
/// and the XOR chain with negligible probability. Large arrays are fingerprinted in parallel chunks.
/// </summary>
internal static class WeightFingerprint
{
    private const int ChunkFloats = 1 << 20;

    public static ulong Compute(float[] data)
    {
        int chunks = (data.Length + ChunkFloats - 1) / ChunkFloats;
        if (chunks <= 1) return Mix(Chunk(data, 0, data.Length), (ulong)data.Length);
        var parts = new ulong[chunks];
        LayerParallel.For(chunks, data.Length, i =>
        {
            int start = i * ChunkFloats;
            parts[i] = Chunk(data, start, Math.Min(ChunkFloats, data.Length - start));
        });
        ulong h = (ulong)data.Length;
        foreach (ulong p in parts) h = Mix(h, p);
        return h;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe ulong Chunk(float[] data, int start, int count)
    {
        ulong h = 0x9E3779B97F4A7C15UL ^ (ulong)start;
        fixed (float* p0 = data)
        {
            uint* p = (uint*)(p0 + start);
            int i = 0;
            if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported && count >= 64)
            {
                Vector512<uint> a0 = Vector512<uint>.Zero, a1 = a0, a2 = a0, a3 = a0;
                Vector512<uint> b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                for (; i + 64 <= count; i += 64)
                {
                    var v0 = Vector512.Load(p + i);
                    var v1 = Vector512.Load(p + i + 16);
                    var v2 = Vector512.Load(p + i + 32);
                    var v3 = Vector512.Load(p + i + 48);
                    a0 = Avx512F.RotateLeft(a0, 7) + v0;
                    a1 = Avx512F.RotateLeft(a1, 7) + v1;
                    a2 = Avx512F.RotateLeft(a2, 7) + v2;
                    a3 = Avx512F.RotateLeft(a3, 7) + v3;
                    b0 = Avx512F.RotateLeft(b0, 13) ^ v0;
                    b1 = Avx512F.RotateLeft(b1, 13) ^ v1;
                    b2 = Avx512F.RotateLeft(b2, 13) ^ v2;
                    b3 = Avx512F.RotateLeft(b3, 13) ^ v3;
                }
                for (int lane = 0; lane < 16; lane++)
                {
                    h = Mix(h, ((ulong)a0[lane] << 32) | b0[lane]);
                    h = Mix(h, ((ulong)a1[lane] << 32) | b1[lane]);
                    h = Mix(h, ((ulong)a2[lane] << 32) | b2[lane]);
                    h = Mix(h, ((ulong)a3[lane] << 32) | b3[lane]);
                }
            }
            uint a = 0, b = 0;
            for (; i < count; i++)
            {
                a = uint.RotateLeft(a, 7) + p[i];
                b = uint.RotateLeft(b, 13) ^ p[i];
            }
            h = Mix(h, ((ulong)a << 32) | b);
        }
        return h;
    }

    /// <summary>Folds <paramref name="value"/> into <paramref name="h"/> through SplitMix64's finalizer.</summary>
    private static ulong Mix(ulong h, ulong value)
    {
        ulong z = h * 0x100000001B3UL + value + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
