using System.Runtime.InteropServices;

namespace EvalHarness.Engine.Gemm;

/// <summary>A block of native memory of floats, 64-byte aligned (one cache line, one Vector512).</summary>
internal sealed unsafe class AlignedBuffer : IDisposable
{
    public const int Alignment = 64;

    private float* _pointer;

    public AlignedBuffer(long floats)
    {
        if (floats < 1) floats = 1;
        _pointer = (float*)NativeMemory.AlignedAlloc(checked((nuint)floats * sizeof(float)), Alignment);
        Capacity = floats;
    }

    ~AlignedBuffer() => Free();

    public long Capacity { get; }

    public float* Pointer => _pointer != null ? _pointer : throw new ObjectDisposedException(nameof(AlignedBuffer));

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (_pointer == null) return;
        NativeMemory.AlignedFree(_pointer);
        _pointer = null;
    }
}
