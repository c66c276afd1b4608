using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Text;
using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;

namespace EvalHarness.Models;

/// <summary>
/// Parameter values "eh-init-v1": a pure function of (state-dict name, shape, seed), identical on every
/// machine and reproduced bit for bit by the numpy fixture generator. For entry <c>name</c> with n values:
/// key = FNV-1a-64(UTF-8 name) XOR (seed · φ64); value i draws u from SplitMix64 (Steele, Lea &amp; Flood 2014,
/// Vigna's finalizer) at state key + (i+1)·φ64 and maps it, in double then rounded to float32, to
/// (2u−1)·sqrt(6/fan_in) for rank ≥ 2 (a Kaiming-uniform-like range), 0.5+u for running_var and BatchNorm
/// weights, and (2u−1)·0.1 for running_mean and biases.
/// </summary>
public static class DeterministicInit
{
    public const string Version = "eh-init-v1";

    private const ulong Golden = 0x9E3779B97F4A7C15;
    private const ulong FnvOffset = 0xcbf29ce484222325;
    private const ulong FnvPrime = 0x100000001b3;
    private const int ChunkSize = 1 << 16;

    /// <summary>Fills every parameter and buffer of the graph (in place), in parallel over chunks.</summary>
    public static void Apply(Graph graph, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var chunks = new List<(float[] Data, Rule Rule, ulong Key, int Start, int Count)>();
        foreach (var (name, parameter) in graph.StateDict())
        {
            var rule = RuleFor(name, parameter.Value.Shape);
            ulong key = Key(name, seed);
            var data = parameter.Value.Data;
            for (int start = 0; start < data.Length; start += ChunkSize)
                chunks.Add((data, rule, key, start, Math.Min(ChunkSize, data.Length - start)));
        }
        Parallel.For(0, chunks.Count, i =>
        {
            var c = chunks[i];
            FillRange(c.Rule, c.Key, c.Start, c.Data.AsSpan(c.Start, c.Count));
        });
        foreach (var (_, parameter) in graph.StateDict()) parameter.MarkChanged();
    }

    /// <summary>The values of one entry, in C order, written to <paramref name="destination"/> (prod(shape) long).</summary>
    public static void Fill(string name, ReadOnlySpan<int> shape, ulong seed, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(name);
        int n = ShapeUtil.Volume(shape);
        if (destination.Length != n)
            throw new ArgumentException($"'{name}' of shape {ShapeUtil.Format(shape)} has {n} values; the destination holds {destination.Length}.", nameof(destination));
        FillRange(RuleFor(name, shape), Key(name, seed), 0, destination);
    }

    /// <summary>A new tensor holding the values of one entry.</summary>
    public static Tensor Create(string name, int[] shape, ulong seed)
    {
        var t = Tensor.Uninitialized(shape);
        Fill(name, shape, seed, t.Data);
        return t;
    }

    private readonly record struct Rule(double Scale, double Offset);

    private static Rule RuleFor(string name, ReadOnlySpan<int> shape)
    {
        if (shape.Length >= 2)
        {
            long fanIn = 1;
            for (int i = 1; i < shape.Length; i++) fanIn *= shape[i];
            if (fanIn == 0) return new Rule(0, 0);
            return new Rule(Math.Sqrt(6.0 / fanIn), 0);
        }
        if (name.EndsWith("running_var", StringComparison.Ordinal)) return new Rule(0, 0.5);
        if (name.EndsWith("running_mean", StringComparison.Ordinal)) return new Rule(0.1, 0);
        if (shape.Length == 1 && name.EndsWith("weight", StringComparison.Ordinal)) return new Rule(0, 0.5);
        if (shape.Length == 1 && name.EndsWith("bias", StringComparison.Ordinal)) return new Rule(0.1, 0);
        throw new EvalHarnessException($"{Version} has no rule for '{name}' of shape {ShapeUtil.Format(shape)}: it covers weights of rank ≥ 2, " +
            "and rank-1 weight, bias, running_mean and running_var entries.");
    }

    private static ulong Key(string name, ulong seed)
    {
        ulong h = FnvOffset;
        foreach (byte b in Encoding.UTF8.GetBytes(name))
        {
            h ^= b;
            h *= FnvPrime;
        }
        return h ^ unchecked(seed * Golden);
    }

    /// <summary>Values start .. start+destination.Length−1 of an entry. Scale 0 means 0.5 + u, else (2u − 1)·scale.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillRange(Rule rule, ulong key, long start, Span<float> destination)
    {
        bool offset = rule.Offset != 0;
        double scale = rule.Scale;
        ulong z0 = unchecked(key + (ulong)(start + 1) * Golden);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && destination.Length >= 16)
        {
            // The same integer and IEEE double operations as the scalar loop, 16 values at a time.
            var state = Vector512.Create(z0) + Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7) * Golden;
            var step = Vector512.Create(unchecked(8 * Golden));
            var toUnit = Vector512.Create(1.0 / (1 << 24));
            var vScale = Vector512.Create(scale);
            for (; i <= destination.Length - 16; i += 16)
            {
                var low = Vector512.ConvertToDouble((Mix(state) >> 40).AsInt64()) * toUnit;
                state += step;
                var high = Vector512.ConvertToDouble((Mix(state) >> 40).AsInt64()) * toUnit;
                state += step;
                if (offset)
                {
                    low += Vector512.Create(0.5);
                    high += Vector512.Create(0.5);
                }
                else
                {
                    low = (low * 2.0 - Vector512<double>.One) * vScale;
                    high = (high * 2.0 - Vector512<double>.One) * vScale;
                }
                Vector512.Narrow(low, high).CopyTo(destination[i..]);
            }
        }
        for (; i < destination.Length; i++)
        {
            ulong z = unchecked(z0 + (ulong)i * Golden);
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EB);
            z ^= z >> 31;
            double u = (long)(z >> 40) * (1.0 / (1 << 24)); // 24 bits: exact in double
            destination[i] = offset ? (float)(0.5 + u) : (float)((2 * u - 1) * scale);
        }
    }

    /// <summary>SplitMix64's output function.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Mix(Vector512<ulong> z)
    {
        z = (z ^ (z >> 30)) * Vector512.Create(0xBF58476D1CE4E5B9UL);
        z = (z ^ (z >> 27)) * Vector512.Create(0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
