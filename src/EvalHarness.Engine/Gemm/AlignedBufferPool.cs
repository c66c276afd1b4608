namespace EvalHarness.Engine.Gemm;

/// <summary>
/// Keeps packing buffers between GEMM calls so a warm caller allocates nothing. Rent returns the
/// smallest free buffer that is large enough (or a new one); at most <see cref="MaxRetained"/>
/// buffers and <see cref="MaxRetainedFloats"/> floats are kept, the rest are freed on return.
/// </summary>
internal sealed class AlignedBufferPool
{
    public const int MaxRetained = 16;
    public const long MaxRetainedFloats = 128L << 20; // 512 MB

    private readonly List<AlignedBuffer> _free = [];
    private long _freeFloats;

    public static AlignedBufferPool Shared { get; } = new();

    public AlignedBuffer Rent(long floats)
    {
        lock (_free)
        {
            int best = -1;
            for (int i = 0; i < _free.Count; i++)
                if (_free[i].Capacity >= floats && (best < 0 || _free[i].Capacity < _free[best].Capacity)) best = i;
            if (best >= 0)
            {
                var buffer = _free[best];
                _free.RemoveAt(best);
                _freeFloats -= buffer.Capacity;
                return buffer;
            }
        }
        // Round up to 16 K floats (64 KB) so slightly different shapes reuse the same buffers.
        return new AlignedBuffer((Math.Max(floats, 1) + 16383) & ~16383L);
    }

    public void Return(AlignedBuffer? buffer)
    {
        if (buffer is null) return;
        lock (_free)
        {
            if (buffer.Capacity <= MaxRetainedFloats)
            {
                _free.Add(buffer);
                _freeFloats += buffer.Capacity;
                buffer = null;
                // Drop the smallest buffers first: the large ones are the expensive ones to re-create.
                while (_free.Count > MaxRetained || _freeFloats > MaxRetainedFloats)
                {
                    int smallest = 0;
                    for (int i = 1; i < _free.Count; i++)
                        if (_free[i].Capacity < _free[smallest].Capacity) smallest = i;
                    _freeFloats -= _free[smallest].Capacity;
                    _free[smallest].Dispose();
                    _free.RemoveAt(smallest);
                }
            }
        }
        buffer?.Dispose();
    }

    /// <summary>Frees every retained buffer.</summary>
    public void Trim()
    {
        lock (_free)
        {
            foreach (var b in _free) b.Dispose();
            _free.Clear();
            _freeFloats = 0;
        }
    }
}
