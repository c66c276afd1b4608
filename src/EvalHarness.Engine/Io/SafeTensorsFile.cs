using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace EvalHarness.Engine.Io;

/// <summary>
/// An open safetensors file (format of huggingface/safetensors): an 8-byte little-endian header length
/// N, N bytes of JSON mapping tensor names to {"dtype", "shape", "data_offsets"} (plus an optional
/// "__metadata__" map of strings), then the data section. Opening reads and validates the whole header;
/// tensors are read on demand, streamed from the file straight into their float32 buffers, so a large
/// file is never held twice in memory.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    /// <summary>Largest header accepted (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const int ChunkBytes = 1 << 20;

    private static readonly Dictionary<string, SafeTensorsDType> DTypes =
        Enum.GetValues<SafeTensorsDType>().ToDictionary(d => d.ToString(), StringComparer.Ordinal);

    private readonly SafeFileHandle _handle;
    private readonly Dictionary<string, SafeTensorsEntry> _byName;
    private readonly long _dataStart;

    private SafeTensorsFile(string path, SafeFileHandle handle, List<SafeTensorsEntry> entries,
        Dictionary<string, string> metadata, long dataStart)
    {
        Path = path;
        _handle = handle;
        Entries = entries;
        _byName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        Metadata = metadata;
        _dataStart = dataStart;
    }

    public string Path { get; }

    /// <summary>The tensors in the order the header lists them.</summary>
    public IReadOnlyList<SafeTensorsEntry> Entries { get; }

    /// <summary>The "__metadata__" map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public IEnumerable<string> Names => Entries.Select(e => e.Name);

    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Opens a file and validates its header; throws <see cref="FileFormatException"/> naming the problem.</summary>
    public static SafeTensorsFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileFormatException(path, "the file does not exist.");
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileFormatException(path, $"the file cannot be opened: {e.Message}", e);
        }
        try
        {
            long fileLength = RandomAccess.GetLength(handle);
            if (fileLength < 8)
                throw new FileFormatException(path, $"the file is {fileLength} bytes long; a safetensors file starts with an 8-byte header length.");
            Span<byte> prefix = stackalloc byte[8];
            ReadExactly(handle, prefix, 0, path);
            ulong headerLength = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > (ulong)(fileLength - 8))
                throw new FileFormatException(path, $"the header length field says {headerLength} bytes, but only {fileLength - 8} bytes follow it " +
                    "(the file is truncated or is not a safetensors file).");
            if (headerLength > MaxHeaderBytes)
                throw new FileFormatException(path, $"the header is {headerLength} bytes long; at most {MaxHeaderBytes} are accepted.");
            if (headerLength < 2)
                throw new FileFormatException(path, $"the header is {headerLength} bytes long; it must hold at least a JSON object '{{}}'.");
            var header = new byte[headerLength];
            ReadExactly(handle, header, 8, path);
            long dataStart = 8 + (long)headerLength;
            var (entries, metadata) = ParseHeader(path, header, fileLength - dataStart);
            return new SafeTensorsFile(path, handle, entries, metadata, dataStart);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public SafeTensorsEntry Entry(string name) =>
        _byName.TryGetValue(name, out var e) ? e : throw new UnknownNameException(NameMatcher.UnknownMessage("tensor", name, _byName.Keys.ToList()));

    /// <summary>Reads a tensor, converting its elements to float32.</summary>
    public Tensor Read(string name)
    {
        var entry = Entry(name);
        long count = entry.ElementCount;
        if (count > Array.MaxLength)
            throw new FileFormatException(Path, $"tensor '{name}' has {count} elements, more than one float32 buffer can hold ({Array.MaxLength}).");
        var tensor = Tensor.Uninitialized(entry.ShapeArray);
        ReadInto(entry, tensor.Data);
        return tensor;
    }

    /// <summary>Reads every tensor, in header order.</summary>
    public Dictionary<string, Tensor> ReadAll()
    {
        var result = new Dictionary<string, Tensor>(Entries.Count, StringComparer.Ordinal);
        foreach (var e in Entries) result[e.Name] = Read(e.Name);
        return result;
    }

    /// <summary>Reads a tensor's elements, converted to float32, into <paramref name="destination"/> (exactly its element count long).</summary>
    public void ReadInto(string name, Span<float> destination) => ReadInto(Entry(name), destination);

    private void ReadInto(SafeTensorsEntry entry, Span<float> destination)
    {
        if (destination.Length != entry.ElementCount)
            throw new ArgumentException($"Tensor '{entry.Name}' has {entry.ElementCount} elements; the destination holds {destination.Length}.", nameof(destination));
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Reading safetensors needs a little-endian machine.");
        long offset = _dataStart + entry.Begin;
        if (entry.DType == SafeTensorsDType.F32)
        {
            // Stream the bytes straight into the float buffer, in chunks (a span of bytes is limited to 2 GiB).
            const int chunkFloats = ChunkBytes / 4;
            for (int start = 0; start < destination.Length; start += chunkFloats)
            {
                var part = destination.Slice(start, Math.Min(chunkFloats, destination.Length - start));
                ReadExactly(_handle, MemoryMarshal.AsBytes(part), offset + 4L * start, Path);
            }
            return;
        }
        int size = ElementSize(entry.DType);
        if (!IsReadable(entry.DType))
            throw new FileFormatException(Path, $"tensor '{entry.Name}' has dtype {entry.DType}, which cannot be read as float32 " +
                "(readable: F32, F16, BF16, F64 and the integer and BOOL types).");
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int chunkElements = ChunkBytes / size;
            for (int start = 0; start < destination.Length; start += chunkElements)
            {
                int n = Math.Min(chunkElements, destination.Length - start);
                var bytes = buffer.AsSpan(0, n * size);
                ReadExactly(_handle, bytes, offset + (long)size * start, Path);
                Convert(entry.DType, bytes, destination.Slice(start, n));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Convert(SafeTensorsDType dtype, ReadOnlySpan<byte> src, Span<float> dst)
    {
        switch (dtype)
        {
            case SafeTensorsDType.F16:
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(src), dst);
                break;
            case SafeTensorsDType.BF16:
            {
                // bfloat16 is the upper half of an IEEE float32: widening is exact.
                var s = MemoryMarshal.Cast<byte, ushort>(src);
                var d = MemoryMarshal.Cast<float, uint>(dst);
                for (int i = 0; i < s.Length; i++) d[i] = (uint)s[i] << 16;
                break;
            }
            case SafeTensorsDType.F64:
            {
                var s = MemoryMarshal.Cast<byte, double>(src);
                for (int i = 0; i < s.Length; i++) dst[i] = (float)s[i];
                break;
            }
            case SafeTensorsDType.I64: Widen(MemoryMarshal.Cast<byte, long>(src), dst); break;
            case SafeTensorsDType.I32: Widen(MemoryMarshal.Cast<byte, int>(src), dst); break;
            case SafeTensorsDType.I16: Widen(MemoryMarshal.Cast<byte, short>(src), dst); break;
            case SafeTensorsDType.I8: Widen(MemoryMarshal.Cast<byte, sbyte>(src), dst); break;
            case SafeTensorsDType.U64: Widen(MemoryMarshal.Cast<byte, ulong>(src), dst); break;
            case SafeTensorsDType.U32: Widen(MemoryMarshal.Cast<byte, uint>(src), dst); break;
            case SafeTensorsDType.U16: Widen(MemoryMarshal.Cast<byte, ushort>(src), dst); break;
            case SafeTensorsDType.U8: Widen(src, dst); break;
            case SafeTensorsDType.BOOL:
                for (int i = 0; i < src.Length; i++) dst[i] = src[i] != 0 ? 1f : 0f;
                break;
            default:
                throw new InvalidOperationException($"No conversion from {dtype}.");
        }
    }

    private static void Widen<T>(ReadOnlySpan<T> src, Span<float> dst) where T : System.Numerics.INumberBase<T>
    {
        for (int i = 0; i < src.Length; i++) dst[i] = float.CreateTruncating(src[i]);
    }

    /// <summary>True for the dtypes <see cref="Read"/> converts to float32 (all but the 8-bit floats).</summary>
    public static bool IsReadable(SafeTensorsDType dtype) => dtype is not (SafeTensorsDType.F8_E4M3 or SafeTensorsDType.F8_E5M2);

    internal static int ElementSize(SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F64 or SafeTensorsDType.I64 or SafeTensorsDType.U64 => 8,
        SafeTensorsDType.F32 or SafeTensorsDType.I32 or SafeTensorsDType.U32 => 4,
        SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.I16 or SafeTensorsDType.U16 => 2,
        _ => 1,
    };

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, string path)
    {
        while (!buffer.IsEmpty)
        {
            int n = RandomAccess.Read(handle, buffer, offset);
            if (n <= 0) throw new FileFormatException(path, $"the file ended at byte {offset} while {buffer.Length} more bytes were expected (truncated).");
            buffer = buffer[n..];
            offset += n;
        }
    }

    private static (List<SafeTensorsEntry>, Dictionary<string, string>) ParseHeader(string path, byte[] header, long dataLength)
    {
        if (header[0] != (byte)'{')
            throw new FileFormatException(path, $"the header does not start with '{{' (it starts with byte 0x{header[0]:X2}); this is not a safetensors file.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new FileFormatException(path, $"the header is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new FileFormatException(path, $"the header is a JSON {root.ValueKind}; it must be an object mapping tensor names to their descriptions.");
            var entries = new List<SafeTensorsEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                string name = property.Name;
                if (!seen.Add(name)) throw new FileFormatException(path, $"the header lists '{name}' twice.");
                if (name == "__metadata__")
                {
                    ParseMetadata(path, property.Value, metadata);
                    continue;
                }
                entries.Add(ParseEntry(path, name, property.Value, dataLength));
            }
            CheckLayout(path, entries, dataLength);
            return (entries, metadata);
        }
    }

    private static void ParseMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new FileFormatException(path, $"\"__metadata__\" is a JSON {value.ValueKind}; it must be an object of string values.");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new FileFormatException(path, $"\"__metadata__\" entry '{item.Name}' is a JSON {item.Value.ValueKind}; metadata values must be strings.");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw new FileFormatException(path, $"\"__metadata__\" lists '{item.Name}' twice.");
        }
    }

    private static SafeTensorsEntry ParseEntry(string path, string name, JsonElement value, long dataLength)
    {
        string where = $"tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object)
            throw new FileFormatException(path, $"{where} is described by a JSON {value.ValueKind}; expected an object with \"dtype\", \"shape\" and \"data_offsets\".");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new FileFormatException(path, $"{where} has no \"dtype\" string.");
        string dtypeName = dtypeElement.GetString()!;
        if (!DTypes.TryGetValue(dtypeName, out var dtype))
            throw new FileFormatException(path, $"{where} has unknown dtype \"{dtypeName}\"; known dtypes: {string.Join(", ", Enum.GetNames<SafeTensorsDType>())}.");

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new FileFormatException(path, $"{where} has no \"shape\" array.");
        var shape = new int[shapeElement.GetArrayLength()];
        int k = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0)
                throw new FileFormatException(path, $"{where} has shape {shapeElement.GetRawText()}; dimensions must be non-negative integers.");
            if (dim > int.MaxValue)
                throw new FileFormatException(path, $"{where} has dimension {dim}, larger than {int.MaxValue}.");
            shape[k++] = (int)dim;
        }

        if (!value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2)
            throw new FileFormatException(path, $"{where} has no \"data_offsets\" array of two integers [begin, end].");
        var offsets = new long[2];
        k = 0;
        foreach (var o in offsetsElement.EnumerateArray())
        {
            if (o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out long v) || v < 0)
                throw new FileFormatException(path, $"{where} has data_offsets {offsetsElement.GetRawText()}; offsets must be non-negative integers.");
            offsets[k++] = v;
        }
        long begin = offsets[0], end = offsets[1];
        if (end < begin)
            throw new FileFormatException(path, $"{where} has data_offsets [{begin}, {end}]: the end lies before the beginning.");
        if (end > dataLength)
            throw new FileFormatException(path, $"{where} has data_offsets [{begin}, {end}], beyond the {dataLength}-byte data section " +
                "(the file is truncated or the header is wrong).");

        Int128 expected = ElementSize(dtype);
        foreach (int d in shape) expected *= d;
        if (expected != end - begin)
            throw new FileFormatException(path, $"{where} is {dtype} with shape {ShapeUtil.Format(shape)}, which needs {expected} bytes, " +
                $"but its data_offsets [{begin}, {end}] span {end - begin} bytes.");
        return new SafeTensorsEntry(name, dtype, shape, begin, end);
    }

    /// <summary>Tensors must tile the data section exactly: no overlaps, no holes, no trailing bytes (as the reference implementation requires).</summary>
    private static void CheckLayout(string path, List<SafeTensorsEntry> entries, long dataLength)
    {
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long position = 0;
        SafeTensorsEntry? previous = null;
        foreach (var e in sorted)
        {
            if (e.Begin < position)
                throw new FileFormatException(path, $"tensors '{previous!.Name}' [{previous.Begin}, {previous.End}) and '{e.Name}' [{e.Begin}, {e.End}) overlap.");
            if (e.Begin > position)
                throw new FileFormatException(path, $"bytes [{position}, {e.Begin}) of the data section belong to no tensor " +
                    $"(before '{e.Name}'); tensors must be stored back to back.");
            position = e.End;
            if (e.ByteLength > 0) previous = e;
        }
        if (position != dataLength)
            throw new FileFormatException(path, $"the data section is {dataLength} bytes but the tensors end at byte {position}; " +
                $"{dataLength - position} trailing bytes belong to no tensor.");
    }

    public void Dispose() => _handle.Dispose();
}
