using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;

namespace EvalHarness.Engine.Io;

/// <summary>
/// Turns tensor descriptions (storage, offset, size, stride) into row-major tensors, reading each storage
/// once. Views with any strides are copied element by element, as torch.Tensor.contiguous() would;
/// float16, bfloat16 and float64 are converted to float32 (float64 rounds to nearest).
/// </summary>
internal sealed class TorchTensorMaterializer
{
    /// <summary>
    /// Views that repeat elements (a stride of 0, as expand() makes) are copied out in full; beyond this
    /// many elements such a view is refused, so a small file cannot demand an unbounded allocation.
    /// </summary>
    internal const int MaxOverlappingViewElements = 1 << 24;

    private readonly string _path;
    private readonly TorchStorageSource _source;
    private readonly Dictionary<string, int> _uses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _cache = new(StringComparer.Ordinal);

    public TorchTensorMaterializer(string path, TorchStorageSource source, IEnumerable<TorchTensorRef> tensors)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Reading PyTorch checkpoints needs a little-endian machine.");
        _path = path;
        _source = source;
        foreach (var t in tensors) _uses[t.Storage.Key] = _uses.GetValueOrDefault(t.Storage.Key) + 1;
    }

    public Tensor ToFloat(string name, TorchTensorRef t)
    {
        var (shape, volume, contiguous) = Check(name, t);
        var tensor = Tensor.Uninitialized(shape);
        if (volume == 0) return tensor;
        var storage = t.Storage;
        if (storage.Type == TorchStorageType.Float32 && contiguous && t.Offset == 0 && volume == storage.Numel
            && !_source.BigEndian && _uses.GetValueOrDefault(storage.Key) == 1)
        {
            _source.Read(storage, MemoryMarshal.AsBytes(tensor.Data.AsSpan()));
            return tensor;
        }
        WithElements(t, volume, contiguous, bytes => DecodeFloat(storage.Type, bytes, tensor.Data));
        return tensor;
    }

    public PyTorchIntegerTensor ToInteger(string name, TorchTensorRef t)
    {
        var (shape, volume, contiguous) = Check(name, t);
        var values = new long[volume];
        if (volume > 0) WithElements(t, volume, contiguous, bytes => DecodeInteger(t.Storage.Type, bytes, values));
        return new PyTorchIntegerTensor(t.Storage.Type.DType, shape, values);
    }

    private delegate void ElementsAction(ReadOnlySpan<byte> elements);

    /// <summary>Calls <paramref name="action"/> with the tensor's elements in row-major order, as little-endian bytes.</summary>
    private void WithElements(TorchTensorRef t, int volume, bool contiguous, ElementsAction action)
    {
        int es = t.Storage.Type.ElementSize;
        var storage = StorageBytes(t.Storage);
        if (contiguous)
        {
            action(storage.AsSpan((int)t.Offset * es, volume * es));
            return;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(checked(volume * es));
        try
        {
            Gather(storage, t, es, buffer.AsSpan(0, volume * es));
            action(buffer.AsSpan(0, volume * es));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private byte[] StorageBytes(TorchStorageRef storage)
    {
        if (_cache.TryGetValue(storage.Key, out var cached)) return cached;
        var bytes = GC.AllocateUninitializedArray<byte>((int)storage.ByteLength);
        _source.Read(storage, bytes);
        if (_source.BigEndian) SwapBytes(bytes, storage.Type.ElementSize);
        if (_uses.GetValueOrDefault(storage.Key) > 1) _cache[storage.Key] = bytes;
        return bytes;
    }

    /// <summary>Validates the view against its storage; returns the shape, volume and whether it is row-major contiguous.</summary>
    private (int[] Shape, int Volume, bool Contiguous) Check(string name, TorchTensorRef t)
    {
        var storage = t.Storage;
        string view = $"tensor '{name}' (size ({string.Join(", ", t.Size)}), stride ({string.Join(", ", t.Stride)}), offset {t.Offset})";
        var shape = new int[t.Size.Length];
        long volume = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (t.Size[i] < 0 || t.Size[i] > Array.MaxLength) throw Bad($"{view} has an invalid size");
            if (t.Stride[i] < 0) throw Bad($"{view} has a negative stride");
            shape[i] = (int)t.Size[i];
            volume *= t.Size[i];
            if (volume > Array.MaxLength) throw Bad($"{view} has more elements than one buffer can hold");
        }
        if (t.Offset < 0) throw Bad($"{view} has a negative storage offset");
        if (volume > storage.Numel && volume > MaxOverlappingViewElements)
            throw Bad($"{view} repeats the {storage.Numel} elements of its storage into {volume}, more than the {MaxOverlappingViewElements} such a view may have; save tensor.contiguous() instead");
        if (storage.Numel > Array.MaxLength / storage.Type.ElementSize)
            throw Bad($"{storage} is larger than 2 GiB, which is not supported");

        long available = _source.AvailableBytes(storage);
        if (available < storage.ByteLength)
            throw Bad($"{_source.Describe(storage)} holds {available} bytes but {storage} needs {storage.ByteLength}; the file is truncated or corrupt");

        bool contiguous = true;
        if (volume > 0)
        {
            if (t.Offset >= storage.Numel) throw Bad($"{view} starts past the end of {storage}; the file is corrupt");
            long last = t.Offset;
            long expected = 1;
            for (int i = shape.Length - 1; i >= 0; i--)
            {
                long reach = t.Size[i] - 1;
                if (reach > 0 && t.Stride[i] > 0)
                {
                    // last + reach·stride ≤ numel − 1, tested without overflow
                    if (reach > (storage.Numel - 1 - last) / t.Stride[i])
                        throw Bad($"{view} reaches past the end of {storage}; the file is corrupt");
                    last += reach * t.Stride[i];
                }
                if (t.Size[i] != 1 && t.Stride[i] != expected) contiguous = false;
                expected *= t.Size[i];
            }
        }
        return (shape, (int)volume, contiguous);
    }

    /// <summary>Copies the view's elements into row-major order (an odometer over the index space).</summary>
    private static void Gather(ReadOnlySpan<byte> storage, TorchTensorRef t, int es, Span<byte> destination)
    {
        int rank = t.Size.Length;
        if (rank == 0)
        {
            storage.Slice((int)t.Offset * es, es).CopyTo(destination);
            return;
        }
        Span<long> index = stackalloc long[rank];
        long inner = t.Size[rank - 1], innerStride = t.Stride[rank - 1];
        long src = t.Offset;
        int dst = 0;
        int rows = destination.Length / es / (int)inner;
        for (int row = 0; row < rows; row++)
        {
            long s = src;
            for (long j = 0; j < inner; j++, s += innerStride, dst += es)
                storage.Slice((int)s * es, es).CopyTo(destination.Slice(dst, es));
            for (int d = rank - 2; d >= 0; d--)
            {
                src += t.Stride[d];
                if (++index[d] < t.Size[d]) break;
                src -= t.Stride[d] * t.Size[d];
                index[d] = 0;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DecodeFloat(TorchStorageType type, ReadOnlySpan<byte> src, Span<float> dst)
    {
        if (type == TorchStorageType.Float32)
        {
            src.CopyTo(MemoryMarshal.AsBytes(dst));
        }
        else if (type == TorchStorageType.Float16)
        {
            TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(src), dst);
        }
        else if (type == TorchStorageType.BFloat16)
        {
            var bits = MemoryMarshal.Cast<byte, ushort>(src);
            for (int i = 0; i < dst.Length; i++) dst[i] = BitConverter.Int32BitsToSingle(bits[i] << 16); // bfloat16 is the top half of a float32
        }
        else if (type == TorchStorageType.Float64)
        {
            var d = MemoryMarshal.Cast<byte, double>(src);
            for (int i = 0; i < dst.Length; i++) dst[i] = (float)d[i];
        }
        else
        {
            throw new InvalidOperationException($"{type} is not a floating-point storage.");
        }
    }

    private static void DecodeInteger(TorchStorageType type, ReadOnlySpan<byte> src, Span<long> dst)
    {
        if (type == TorchStorageType.Int64) MemoryMarshal.Cast<byte, long>(src).CopyTo(dst);
        else if (type == TorchStorageType.Int32) Widen(MemoryMarshal.Cast<byte, int>(src), dst);
        else if (type == TorchStorageType.Int16) Widen(MemoryMarshal.Cast<byte, short>(src), dst);
        else if (type == TorchStorageType.Int8) Widen(MemoryMarshal.Cast<byte, sbyte>(src), dst);
        else if (type == TorchStorageType.UInt8) Widen(src, dst);
        else if (type == TorchStorageType.Bool) for (int i = 0; i < dst.Length; i++) dst[i] = src[i] != 0 ? 1 : 0;
        else throw new InvalidOperationException($"{type} is not an integer storage.");
    }

    private static void Widen<T>(ReadOnlySpan<T> src, Span<long> dst) where T : struct, System.Numerics.IBinaryInteger<T>
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = long.CreateTruncating(src[i]);
    }

    private static void SwapBytes(Span<byte> data, int elementSize)
    {
        switch (elementSize)
        {
            case 2: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ushort>(data), MemoryMarshal.Cast<byte, ushort>(data)); break;
            case 4: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, uint>(data), MemoryMarshal.Cast<byte, uint>(data)); break;
            case 8: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ulong>(data), MemoryMarshal.Cast<byte, ulong>(data)); break;
        }
    }

    private FileFormatException Bad(string problem) => new(_path, problem);
}
