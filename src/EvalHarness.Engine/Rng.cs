namespace EvalHarness.Engine;

/// <summary>
/// The harness's only source of randomness: SplitMix64 (Steele, Lea &amp; Flood 2014), fixed forever so
/// that a seed gives the same numbers on every machine and .NET version. Independent streams for
/// different purposes come from <see cref="Derive"/> with a label (e.g. the method name and image id).
/// </summary>
public sealed class Rng
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;
    private ulong _state;

    public Rng(ulong seed) => _state = seed;

    /// <summary>A stream for <paramref name="label"/> that does not overlap in practice with this one's.</summary>
    public static Rng Derive(ulong seed, string label)
    {
        ulong h = 0xcbf29ce484222325UL; // FNV-1a over the label
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(label)) h = (h ^ b) * 0x100000001b3UL;
        return new Rng(Mix(seed ^ Mix(h)));
    }

    public ulong NextUInt64()
    {
        _state += Golden;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n) without modulo bias (Lemire's method).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"Upper bound {n} must be positive.");
        ulong bound = (ulong)n;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong r = NextUInt64();
            UInt128 m = (UInt128)r * bound;
            if ((ulong)m >= threshold) return (int)(m >> 64);
        }
    }

    /// <summary>Standard normal (Box–Muller; one value per call, the pair's second is discarded for simplicity).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Fisher–Yates shuffle.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
