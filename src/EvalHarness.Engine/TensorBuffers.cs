using System.Runtime.CompilerServices;

namespace EvalHarness.Engine;

/// <summary>
/// Recycles the large buffers of intermediate tensors. A fresh large array costs the operating system a page
/// fault per 4 KB page on first touch (measured: a third of ResNet-50's CPU time at batch 16 went to the kernel,
/// 3 million faults in 18 s), and the GC hands freed large-object memory back to the system, so every pass
/// paid it again. <see cref="Tensor"/> takes its buffers of at least <see cref="MinPooledLength"/> floats from
/// here; only code that provably owns a buffer gives it back (<see cref="Nn.Graph.Execution"/>: activations and
/// gradients it releases that no live tensor shares), and only buffers handed out here are taken back. A buffer
/// that is never given back is collected by the GC as before. EVALHARNESS_TENSOR_POOL=0 turns recycling off.
/// </summary>
public static class TensorBuffers
{
    /// <summary>
    /// Buffers smaller than this (64 KB of floats) come from the GC directly. Every array the GC would put on its
    /// large object heap (85 KB and up) is pooled: those are collected only by full collections, so after a pass
    /// that left much garbage behind (IG at batch 16), each unpooled large array of the next workload came from
    /// fresh memory until the next full collection (measured: ResNet-50 guided backprop after IG 316–438 ms with a
    /// 1 MB threshold, where half its batch-1 tensors were below it; 103–124 ms on its own).
    /// </summary>
    public const int MinPooledLength = 1 << 14;

    private static readonly object Gate = new();
    private static readonly Dictionary<int, Stack<float[]>> Free = [];
    private static readonly ConditionalWeakTable<float[], object> Issued = new();
    private static readonly object Mark = new();
    private static readonly Dictionary<int, long> LastUse = [];
    private static long _freeFloats;
    private static long _tick;

    /// <summary>Whether buffers are recycled (EVALHARNESS_TENSOR_POOL=0 turns it off, e.g. to rule it out when chasing a difference).</summary>
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("EVALHARNESS_TENSOR_POOL") != "0";

    /// <summary>
    /// Most floats kept while unused: an eighth of the memory the GC may use, at most 4 GB. When a buffer comes back
    /// to a full pool, the buffers of the length used longest ago are dropped first: the sizes of one workload (IG at
    /// batch 16) must not keep out those of the next (guided backprop at batch 1), which would then allocate afresh on
    /// every pass (measured: SqueezeNet guided backprop timed after IG 167 ms before this, 21 ms with it).
    /// </summary>
    internal static long CapacityFloats { get; set; } = Math.Min(1L << 30, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 8 / sizeof(float));

    /// <summary>Floats held unused right now (for tests and diagnostics).</summary>
    public static long FreeFloats
    {
        get
        {
            lock (Gate) return _freeFloats;
        }
    }

    /// <summary>A buffer of exactly <paramref name="length"/> floats with arbitrary contents.</summary>
    public static float[] RentUninitialized(int length)
    {
        if (!Enabled || length < MinPooledLength) return GC.AllocateUninitializedArray<float>(length);
        lock (Gate)
        {
            LastUse[length] = ++_tick;
            if (Free.TryGetValue(length, out var stack) && stack.Count > 0)
            {
                _freeFloats -= length;
                return stack.Pop();
            }
        }
        var buffer = GC.AllocateUninitializedArray<float>(length);
        lock (Gate) Issued.AddOrUpdate(buffer, Mark);
        return buffer;
    }

    /// <summary>A buffer of exactly <paramref name="length"/> zeros.</summary>
    public static float[] RentZeroed(int length)
    {
        if (!Enabled || length < MinPooledLength) return new float[length];
        var buffer = RentUninitialized(length);
        Array.Clear(buffer);
        return buffer;
    }

    /// <summary>
    /// Gives a buffer back for reuse. The caller guarantees that nothing reads or writes it any more (no tensor,
    /// view or span over it stays in use). Buffers not handed out by this class, and buffers beyond the capacity,
    /// are left to the GC.
    /// </summary>
    public static void Return(float[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (!Enabled || buffer.Length < MinPooledLength) return;
        lock (Gate)
        {
            if (!Issued.TryGetValue(buffer, out _) || buffer.Length > CapacityFloats) return;
            LastUse[buffer.Length] = ++_tick;
            if (_freeFloats + buffer.Length > CapacityFloats) EvictFor(buffer.Length);
            if (_freeFloats + buffer.Length > CapacityFloats) return;
            if (!Free.TryGetValue(buffer.Length, out var stack)) Free[buffer.Length] = stack = new Stack<float[]>();
            foreach (var held in stack)
                if (ReferenceEquals(held, buffer)) throw new InvalidOperationException("A tensor buffer was given back twice.");
            stack.Push(buffer);
            _freeFloats += buffer.Length;
        }
    }

    /// <summary>Drops the free buffers of other lengths, least recently used length first, until one of <paramref name="length"/> fits.</summary>
    private static void EvictFor(int length)
    {
        while (_freeFloats + length > CapacityFloats)
        {
            int victim = -1;
            long oldest = long.MaxValue;
            foreach (var (size, stack) in Free)
                if (size != length && stack.Count > 0 && LastUse.GetValueOrDefault(size) < oldest)
                {
                    oldest = LastUse.GetValueOrDefault(size);
                    victim = size;
                }
            if (victim < 0) return;
            _freeFloats -= (long)victim * Free[victim].Count;
            Free.Remove(victim);
            LastUse.Remove(victim);
        }
    }

    /// <summary>Drops every unused buffer (the GC frees them).</summary>
    public static void Trim()
    {
        lock (Gate)
        {
            Free.Clear();
            LastUse.Clear();
            _freeFloats = 0;
        }
    }
}
