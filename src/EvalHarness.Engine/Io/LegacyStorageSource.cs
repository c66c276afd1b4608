using System.Buffers.Binary;
using System.Numerics;
using EvalHarness.Engine.Io.Pickle;

namespace EvalHarness.Engine.Io;

/// <summary>
/// The format torch.save wrote before PyTorch 1.6 (and with _use_new_zipfile_serialization=False):
/// five pickles in a row (magic number, protocol version 1001, system info, the object, the sorted
/// list of storage keys), then each storage as an 8-byte element count and its raw bytes
/// (torch/serialization.py, _legacy_save).
/// </summary>
internal sealed class LegacyStorageSource : TorchStorageSource
{
    private static readonly BigInteger MagicNumber = BigInteger.Parse("1950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber);
    private const long ProtocolVersion = 1001;

    private readonly string _path;
    private readonly byte[] _file;
    private readonly Dictionary<string, int> _offsets;

    private LegacyStorageSource(string path, byte[] file, Dictionary<string, int> offsets, bool bigEndian)
    {
        _path = path;
        _file = file;
        _offsets = offsets;
        BigEndian = bigEndian;
    }

    /// <summary>Reads the pickles and locates every storage; throws <see cref="PickleException"/> on a malformed pickle.</summary>
    public static LegacyStorageSource Open(string path, byte[] file, TorchPickleResolver resolver, out object? root)
    {
        var unpickler = new SafeUnpickler(file, resolver);
        if (unpickler.Load() is not BigInteger magic || magic != MagicNumber)
            throw new FileFormatException(path, "the file starts with a pickle but not with PyTorch's magic number, so it is not a PyTorch checkpoint");
        if (unpickler.Load() is not long version || version != ProtocolVersion)
            throw new FileFormatException(path, $"the legacy checkpoint has an unknown protocol version (expected {ProtocolVersion})");
        bool bigEndian = false;
        if (unpickler.Load() is PickleDict sysInfo && sysInfo.TryGet("little_endian", out var little) && little is false)
            bigEndian = true;
        root = unpickler.Load();
        if (unpickler.Load() is not List<object?> keys)
            throw new FileFormatException(path, "the legacy checkpoint's list of storage keys is missing or not a list");

        var offsets = new Dictionary<string, int>(StringComparer.Ordinal);
        long pos = unpickler.Position;
        foreach (var k in keys)
        {
            if (k is not string key || !resolver.Storages.TryGetValue(key, out var storage))
                throw new FileFormatException(path, $"the legacy checkpoint lists storage {SafeUnpickler.Describe(k)}, which its pickle never refers to");
            if (file.Length - pos < 8)
                throw new FileFormatException(path, $"the file ends at byte {file.Length} where the header of storage '{key}' belongs; the file is truncated");
            long numel = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan((int)pos, 8));
            if (bigEndian) numel = BinaryPrimitives.ReverseEndianness(numel);
            if (numel != storage.Numel)
                throw new FileFormatException(path, $"storage '{key}' is stored with {numel} elements but the pickle says {storage.Numel}; the file is corrupt");
            pos += 8;
            offsets[key] = (int)pos;
            if (file.Length - pos < storage.ByteLength)
                throw new FileFormatException(path, $"{storage} needs {storage.ByteLength} bytes from byte {pos} but the file ends at byte {file.Length}; the file is truncated");
            pos += storage.ByteLength;
        }
        return new LegacyStorageSource(path, file, offsets, bigEndian);
    }

    public override string Describe(TorchStorageRef storage) => $"legacy storage '{storage.Key}'";

    public override long AvailableBytes(TorchStorageRef storage) =>
        _offsets.ContainsKey(storage.Key)
            ? storage.ByteLength
            : throw new FileFormatException(_path, $"the pickle refers to {storage} but the file does not hold it");

    public override void Read(TorchStorageRef storage, Span<byte> destination) =>
        _file.AsSpan(_offsets[storage.Key], destination.Length).CopyTo(destination);
}
