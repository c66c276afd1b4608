using System.IO.Compression;

namespace EvalHarness.Engine.Io;

/// <summary>
/// The zip layout torch.save writes since PyTorch 1.6: &lt;prefix&gt;/data.pkl (the pickle),
/// &lt;prefix&gt;/data/&lt;key&gt; (one raw storage per record, usually stored uncompressed),
/// &lt;prefix&gt;/version and, since 2.1, &lt;prefix&gt;/byteorder.
/// </summary>
internal sealed class ZipStorageSource : TorchStorageSource
{
    private readonly string _path;
    private readonly ZipArchive _archive;
    private readonly Dictionary<string, ZipArchiveEntry> _entries;

    private ZipStorageSource(string path, ZipArchive archive, Dictionary<string, ZipArchiveEntry> entries, string prefix, bool bigEndian)
    {
        _path = path;
        _archive = archive;
        _entries = entries;
        Prefix = prefix;
        BigEndian = bigEndian;
    }

    /// <summary>The archive's folder ("archive/" or the file's stem plus "/").</summary>
    public string Prefix { get; }

    public string PickleRecord => Prefix + "data.pkl";

    /// <summary>Opens the archive (taking ownership of <paramref name="stream"/>) and reads its pickle.</summary>
    public static ZipStorageSource Open(string path, Stream stream, out byte[] pickle)
    {
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (InvalidDataException e)
        {
            stream.Dispose();
            throw new FileFormatException(path, $"the file starts like a zip archive but its directory cannot be read ({e.Message}); the file is truncated or corrupt", e);
        }

        try
        {
            var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var entry in archive.Entries) entries.TryAdd(entry.FullName, entry);
            var pickles = entries.Keys
                .Where(n => n.EndsWith("/data.pkl", StringComparison.Ordinal) && n.IndexOf('/') == n.Length - "/data.pkl".Length)
                .ToList();
            if (pickles.Count == 0)
            {
                var shown = string.Join(", ", entries.Keys.Take(8));
                throw new FileFormatException(path, $"the zip archive has no '<prefix>/data.pkl' record, so it is not a PyTorch checkpoint (records: {(shown.Length == 0 ? "none" : shown)})");
            }
            if (pickles.Count > 1)
                throw new FileFormatException(path, $"the zip archive has {pickles.Count} pickles ({string.Join(", ", pickles)}); a PyTorch checkpoint has one");
            string prefix = pickles[0][..^"data.pkl".Length];

            bool bigEndian = false;
            if (entries.TryGetValue(prefix + "byteorder", out var byteorder))
            {
                string order = System.Text.Encoding.ASCII.GetString(ReadAll(path, byteorder, maxBytes: 16)).Trim();
                bigEndian = order switch
                {
                    "little" => false,
                    "big" => true,
                    _ => throw new FileFormatException(path, $"record '{byteorder.FullName}' says '{order}'; expected 'little' or 'big'"),
                };
            }

            pickle = ReadAll(path, entries[pickles[0]], maxBytes: Array.MaxLength);
            return new ZipStorageSource(path, archive, entries, prefix, bigEndian);
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    public override string Describe(TorchStorageRef storage) => $"record '{Prefix}data/{storage.Key}'";

    public override long AvailableBytes(TorchStorageRef storage) => CheckedLength(_path, Entry(storage));

    public override void Read(TorchStorageRef storage, Span<byte> destination) => ReadChecked(_path, Entry(storage), destination);

    public override void Dispose() => _archive.Dispose();

    private ZipArchiveEntry Entry(TorchStorageRef storage) =>
        _entries.TryGetValue(Prefix + "data/" + storage.Key, out var entry)
            ? entry
            : throw new FileFormatException(_path, $"the pickle refers to {storage} but the archive has no {Describe(storage)}");

    /// <summary>The record's uncompressed length, refused when no deflate stream could expand that far (a zip bomb).</summary>
    private static long CheckedLength(string path, ZipArchiveEntry entry)
    {
        const long DeflateMaxRatio = 1032; // a deflate stream expands at most 1032:1 (258-byte matches in 2-bit codes)
        if (entry.Length > entry.CompressedLength * DeflateMaxRatio + 1024)
            throw new FileFormatException(path, $"record '{entry.FullName}' claims {entry.Length} bytes from {entry.CompressedLength} compressed bytes, more than deflate can produce; the file is corrupt");
        return entry.Length;
    }

    private static byte[] ReadAll(string path, ZipArchiveEntry entry, int maxBytes)
    {
        if (CheckedLength(path, entry) > maxBytes)
            throw new FileFormatException(path, $"record '{entry.FullName}' is {entry.Length} bytes, more than the {maxBytes} it may have");
        var bytes = new byte[entry.Length];
        ReadChecked(path, entry, bytes);
        return bytes;
    }

    /// <summary>
    /// Reads the first bytes of a record and checks the whole record against its CRC-32 (.NET's
    /// ZipArchive does not). torch.save with set_crc32_options(False) writes 0, which is not checked.
    /// </summary>
    private static void ReadChecked(string path, ZipArchiveEntry entry, Span<byte> destination)
    {
        uint crc;
        try
        {
            using var s = entry.Open();
            s.ReadExactly(destination);
            crc = Crc32.Compute(destination);
            long rest = entry.Length - destination.Length;
            if (rest > 0)
            {
                var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Min(rest, 1 << 20));
                try
                {
                    while (rest > 0)
                    {
                        int n = s.Read(buffer, 0, (int)Math.Min(rest, buffer.Length));
                        if (n == 0) throw new EndOfStreamException();
                        crc = Crc32.Append(crc, buffer.AsSpan(0, n));
                        rest -= n;
                    }
                }
                finally
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new FileFormatException(path, $"record '{entry.FullName}' cannot be read ({e.Message}); the file is truncated or corrupt", e);
        }
        if (crc != entry.Crc32 && entry.Crc32 != 0)
            throw new FileFormatException(path, $"record '{entry.FullName}' fails its CRC-32 check (the archive says 0x{entry.Crc32:x8}, the data gives 0x{crc:x8}); the file is corrupt");
    }
}
