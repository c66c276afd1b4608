using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using EvalHarness.Engine.Imaging;

namespace EvalHarness.Engine.Io;

/// <summary>
/// PNG (ISO/IEC 15948, the W3C PNG specification) on <see cref="ZLibStream"/>. Reads every colour type at
/// every bit depth of non-interlaced files, checks every chunk's CRC, and returns 8-bit samples the way
/// PIL does: sub-byte grey scaled to 0-255, palettes expanded to RGB (tRNS ignored), 16-bit samples
/// reduced to their high byte. (PIL reads 16-bit grey as 32-bit integers, which its RGB conversion then
/// saturates at 255; here 16-bit grey keeps the high byte like every other 16-bit type.)
/// Writes 8-bit grey, grey + alpha, RGB and RGBA with a per-row adaptive filter.
/// </summary>
public static class Png
{
    private const int MaxChunkLength = int.MaxValue;
    private const int IdatChunkSize = 1 << 18;

    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    public static bool HasSignature(ReadOnlySpan<byte> head) => head.Length >= 8 && head[..8].SequenceEqual(Signature);

    public static Image Read(string path) => Decode(ImageFile.ReadAllBytes(path), path);

    public static ChannelImage ReadSamples(string path) => DecodeSamples(ImageFile.ReadAllBytes(path), path);

    /// <summary>Decodes to RGB (alpha dropped, grey replicated) as PIL's <c>convert("RGB")</c>.</summary>
    public static Image Decode(ReadOnlySpan<byte> data, string name = "<memory>") => DecodeSamples(data, name).ToRgb();

    /// <summary>Decodes to 8-bit samples: grey (1 channel), grey + alpha (2), RGB (3, also palettes), RGBA (4).</summary>
    public static ChannelImage DecodeSamples(ReadOnlySpan<byte> data, string name = "<memory>")
    {
        if (data.IsEmpty) throw new FileFormatException(name, "the file is empty (0 bytes), not a PNG image.");
        if (!HasSignature(data)) throw new FileFormatException(name, "not a PNG file (the 8-byte PNG signature is missing).");
        Header? header = null;
        byte[]? palette = null;
        var idat = new MemoryStream();
        bool sawEnd = false;
        int pos = Signature.Length;
        while (pos < data.Length && !sawEnd)
        {
            if (data.Length - pos < 12)
                throw new FileFormatException(name, $"the PNG data ends inside a chunk header at byte {pos}: the file is truncated.");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            var typeBytes = data.Slice(pos + 4, 4);
            string type = ChunkName(typeBytes);
            if (length > MaxChunkLength)
                throw new FileFormatException(name, $"chunk '{type}' at byte {pos} declares an impossible length {length}: the file is corrupt.");
            long available = data.Length - pos - 12L;
            if (available < length)
                throw new FileFormatException(name,
                    $"the PNG data ends inside the '{type}' chunk at byte {pos} ({length} bytes declared, {Math.Max(0, available)} present): the file is truncated.");
            var body = data.Slice(pos + 8, (int)length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 8 + (int)length)..]);
            uint computed = Crc32.Compute(data.Slice(pos + 4, 4 + (int)length));
            if (stored != computed)
                throw new FileFormatException(name,
                    $"CRC mismatch in the '{type}' chunk at byte {pos} (stored 0x{stored:X8}, computed 0x{computed:X8}): the file is corrupt.");
            if (header is null && type != "IHDR")
                throw new FileFormatException(name, $"the first chunk is '{type}', not IHDR: not a valid PNG file.");
            switch (type)
            {
                case "IHDR":
                    if (header is not null) throw new FileFormatException(name, "the PNG file has two IHDR chunks.");
                    header = ParseHeader(body, name);
                    break;
                case "PLTE":
                    if (length % 3 != 0 || length == 0 || length > 768)
                        throw new FileFormatException(name, $"the PLTE chunk has {length} bytes; it must hold 1-256 RGB entries (a multiple of 3).");
                    palette = body.ToArray();
                    break;
                case "IDAT":
                    idat.Write(body);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
                default:
                    // Bit 5 of the first byte clear = critical chunk that a decoder must understand (PNG spec 5.4).
                    if ((typeBytes[0] & 0x20) == 0)
                        throw new FileFormatException(name, $"the PNG file uses the unknown critical chunk '{type}'; it cannot be decoded safely.");
                    break;
            }
            pos += 12 + (int)length;
        }
        if (header is null) throw new FileFormatException(name, "the PNG file has no IHDR chunk.");
        var h = header.Value;
        if (h.ColorType == 3 && palette is null)
            throw new FileFormatException(name, "the palette PNG has no PLTE chunk.");
        if (idat.Length == 0)
            throw new FileFormatException(name, sawEnd
                ? "the PNG file holds no image data (no IDAT chunk)."
                : "the PNG data ends before any image data (no IDAT chunk): the file is truncated.");

        int rowBytes = h.RowBytes;
        long expected = (long)h.Height * (rowBytes + 1);
        if (expected > Array.MaxLength)
            throw new FileFormatException(name, $"the PNG image is too large to decode ({h.Width}×{h.Height}).");
        var raw = GC.AllocateUninitializedArray<byte>((int)expected);
        int got;
        try
        {
            using var z = new ZLibStream(new MemoryStream(idat.GetBuffer(), 0, (int)idat.Length, writable: false), CompressionMode.Decompress);
            got = z.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new FileFormatException(name, $"the compressed PNG image data is corrupt ({e.Message}).", e);
        }
        if (got < expected)
        {
            long rows = got / (rowBytes + 1);
            throw new FileFormatException(name, sawEnd
                ? $"the PNG image data holds only {rows} of {h.Height} rows: the file is corrupt."
                : $"the PNG data ends early: the image data holds {rows} of {h.Height} rows (the file is truncated).");
        }
        Unfilter(raw, h, name);
        return ToSamples(raw, h, palette, name);
    }

    private readonly record struct Header(int Width, int Height, int BitDepth, int ColorType)
    {
        public int SamplesPerPixel => ColorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };

        public int BitsPerPixel => SamplesPerPixel * BitDepth;

        public int RowBytes => (int)(((long)Width * BitsPerPixel + 7) / 8);

        /// <summary>The filter's byte distance to the corresponding byte of the previous pixel (PNG spec 9.2).</summary>
        public int FilterStep => Math.Max(1, BitsPerPixel / 8);

        public int OutputChannels => ColorType switch { 0 => 1, 2 => 3, 3 => 3, 4 => 2, _ => 4 };
    }

    private static Header ParseHeader(ReadOnlySpan<byte> body, string name)
    {
        if (body.Length != 13) throw new FileFormatException(name, $"the IHDR chunk has {body.Length} bytes, not 13.");
        uint w = BinaryPrimitives.ReadUInt32BigEndian(body), hgt = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        int depth = body[8], colorType = body[9], compression = body[10], filter = body[11], interlace = body[12];
        if (w == 0 || hgt == 0)
            throw new FileFormatException(name, $"the PNG header gives an empty image ({w}×{hgt}); width and height must be at least 1.");
        if (w > int.MaxValue || hgt > int.MaxValue)
            throw new FileFormatException(name, $"the PNG header gives an impossible size ({w}×{hgt}).");
        bool valid = colorType switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            2 or 4 or 6 => depth is 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            _ => false,
        };
        if (!valid)
            throw new FileFormatException(name,
                $"invalid PNG colour type {colorType} with bit depth {depth} (valid: grey 1/2/4/8/16, RGB 8/16, palette 1/2/4/8, grey+alpha 8/16, RGBA 8/16).");
        if (compression != 0 || filter != 0)
            throw new FileFormatException(name, $"unknown PNG compression method {compression} or filter method {filter} (only 0 exists).");
        if (interlace == 1)
            throw new FileFormatException(name,
                "Adam7-interlaced PNG is not supported; re-save the image without interlacing (for example PIL: Image.open(f).save(g)).");
        if (interlace != 0)
            throw new FileFormatException(name, $"unknown PNG interlace method {interlace}.");
        return new Header((int)w, (int)hgt, depth, colorType);
    }

    /// <summary>Reverses the five PNG filters in place (PNG spec 9.2); row r starts at r·(rowBytes + 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Unfilter(byte[] raw, Header h, string name)
    {
        int rowBytes = h.RowBytes, step = h.FilterStep, stride = rowBytes + 1;
        Span<byte> zero = rowBytes <= 4096 ? stackalloc byte[rowBytes] : new byte[rowBytes];
        zero.Clear();
        for (int r = 0; r < h.Height; r++)
        {
            int filter = raw[r * stride];
            var row = raw.AsSpan(r * stride + 1, rowBytes);
            ReadOnlySpan<byte> prev = r == 0 ? zero : raw.AsSpan((r - 1) * stride + 1, rowBytes);
            switch (filter)
            {
                case 0:
                    break;
                case 1: // Sub
                    for (int i = step; i < rowBytes; i++) row[i] += row[i - step];
                    break;
                case 2: // Up
                    for (int i = 0; i < rowBytes; i++) row[i] += prev[i];
                    break;
                case 3: // Average
                    for (int i = 0; i < step; i++) row[i] += (byte)(prev[i] >> 1);
                    for (int i = step; i < rowBytes; i++) row[i] += (byte)((row[i - step] + prev[i]) >> 1);
                    break;
                case 4: // Paeth
                    for (int i = 0; i < step; i++) row[i] += prev[i];
                    for (int i = step; i < rowBytes; i++) row[i] += (byte)Paeth(row[i - step], prev[i], prev[i - step]);
                    break;
                default:
                    throw new FileFormatException(name, $"row {r} of the PNG image uses the unknown filter type {filter} (valid: 0-4): the file is corrupt.");
            }
        }
    }

    /// <summary>The Paeth predictor (PNG spec 9.4) without branches: a, b or c, whichever is closest to a + b − c (ties: a, then b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Paeth(int a, int b, int c)
    {
        int pa = Abs(b - c), pb = Abs(a - c), pc = Abs(a + b - 2 * c);
        int takeC = (pc - pb) >> 31;                    // all ones when pc < pb
        int bc = (b & ~takeC) | (c & takeC);
        int nearest = (pb & ~takeC) | (pc & takeC);     // min(pb, pc)
        int takeBc = (nearest - pa) >> 31;              // all ones when min(pb, pc) < pa
        return (a & ~takeBc) | (bc & takeBc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Abs(int x)
    {
        int m = x >> 31;
        return (x ^ m) - m;
    }

    private static ChannelImage ToSamples(byte[] raw, Header h, byte[]? palette, string name)
    {
        int w = h.Width, channels = h.OutputChannels, stride = h.RowBytes + 1;
        var samples = GC.AllocateUninitializedArray<byte>(checked(w * h.Height * channels));
        int perRow = w * h.SamplesPerPixel;
        for (int y = 0; y < h.Height; y++)
        {
            var row = raw.AsSpan(y * stride + 1, h.RowBytes);
            var dst = samples.AsSpan(y * w * channels, w * channels);
            if (h.ColorType == 3)
            {
                int entries = palette!.Length / 3;
                for (int x = 0; x < w; x++)
                {
                    int index = UnpackSample(row, x, h.BitDepth);
                    if (index >= entries)
                        throw new FileFormatException(name, $"pixel ({x}, {y}) uses palette entry {index}, but the palette has {entries} entries.");
                    dst[3 * x] = palette[3 * index];
                    dst[3 * x + 1] = palette[3 * index + 1];
                    dst[3 * x + 2] = palette[3 * index + 2];
                }
            }
            else if (h.BitDepth == 8)
            {
                row[..perRow].CopyTo(dst);
            }
            else if (h.BitDepth == 16)
            {
                for (int i = 0; i < perRow; i++) dst[i] = row[2 * i];
            }
            else
            {
                // Sub-byte grey: 1, 2 or 4 bits scaled to 0..255 (×255, ×85, ×17), as PIL's "1", "L;2", "L;4".
                int scale = 255 / ((1 << h.BitDepth) - 1);
                for (int x = 0; x < w; x++) dst[x] = (byte)(UnpackSample(row, x, h.BitDepth) * scale);
            }
        }
        return new ChannelImage(w, h.Height, channels, samples);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int UnpackSample(ReadOnlySpan<byte> row, int index, int depth)
    {
        if (depth == 8) return row[index];
        int bit = index * depth;
        int shift = 8 - depth - (bit & 7);
        return (row[bit >> 3] >> shift) & ((1 << depth) - 1);
    }

    private static string ChunkName(ReadOnlySpan<byte> type)
    {
        foreach (byte b in type)
            if (b is < 65 or > 122 or > 90 and < 97) return Convert.ToHexString(type);
        return Encoding.ASCII.GetString(type);
    }

    // ------------------------------------------------------------------------------------ writing

    public static void Write(string path, Image image) => File.WriteAllBytes(path, Encode(image));

    public static void Write(string path, ChannelImage image) => File.WriteAllBytes(path, Encode(image));

    public static byte[] Encode(Image image) => Encode(ChannelImage.FromRgb(image));

    /// <summary>
    /// Encodes 8-bit grey (1 channel), grey + alpha (2), RGB (3) or RGBA (4). Each row takes the filter
    /// with the smallest sum of absolute signed residuals (libpng's default heuristic).
    /// </summary>
    public static byte[] Encode(ChannelImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int colorType = image.Channels switch { 1 => 0, 2 => 4, 3 => 2, _ => 6 };
        int w = image.Width, step = image.Channels, rowBytes = w * step;
        var output = new MemoryStream();
        output.Write(Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)w);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr[4..], (uint)image.Height);
        ihdr[8] = 8;
        ihdr[9] = (byte)colorType;
        ihdr[10] = ihdr[11] = ihdr[12] = 0;
        WriteChunk(output, "IHDR"u8, ihdr);

        // Filter every row (keeping the cheapest of the five), then compress the whole stream at once.
        var filtered = GC.AllocateUninitializedArray<byte>(checked(image.Height * (rowBytes + 1)));
        var candidate = new byte[rowBytes];
        var zero = new byte[rowBytes];
        for (int y = 0; y < image.Height; y++)
        {
            var row = image.Samples.AsSpan(y * rowBytes, rowBytes);
            ReadOnlySpan<byte> prev = y == 0 ? zero : image.Samples.AsSpan((y - 1) * rowBytes, rowBytes);
            var dst = filtered.AsSpan(y * (rowBytes + 1), rowBytes + 1);
            dst[0] = 0;
            row.CopyTo(dst[1..]);
            long bestCost = Cost(row);
            for (int f = 1; f < 5 && bestCost > 0; f++)
            {
                FilterRow(f, row, prev, step, candidate);
                long cost = Cost(candidate);
                if (cost < bestCost)
                {
                    bestCost = cost;
                    dst[0] = (byte)f;
                    candidate.CopyTo(dst[1..]);
                }
            }
        }
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            z.Write(filtered);
        var zbytes = compressed.GetBuffer().AsSpan(0, (int)compressed.Length);
        for (int offset = 0; offset < zbytes.Length; offset += IdatChunkSize)
            WriteChunk(output, "IDAT"u8, zbytes.Slice(offset, Math.Min(IdatChunkSize, zbytes.Length - offset)));
        WriteChunk(output, "IEND"u8, []);
        return output.ToArray();
    }

    /// <summary>Sum of the residuals read as signed bytes, in absolute value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long Cost(ReadOnlySpan<byte> residuals)
    {
        long cost = 0;
        foreach (byte r in residuals) cost += Math.Abs((int)(sbyte)r);
        return cost;
    }

    /// <summary>Applies filter type <paramref name="f"/> (1-4, PNG spec 9.2) to one row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FilterRow(int f, ReadOnlySpan<byte> row, ReadOnlySpan<byte> prev, int step, Span<byte> res)
    {
        int n = row.Length, head = Math.Min(step, n);
        switch (f)
        {
            case 1: // Sub
                row[..head].CopyTo(res);
                for (int i = step; i < n; i++) res[i] = (byte)(row[i] - row[i - step]);
                break;
            case 2: // Up
                for (int i = 0; i < n; i++) res[i] = (byte)(row[i] - prev[i]);
                break;
            case 3: // Average
                for (int i = 0; i < head; i++) res[i] = (byte)(row[i] - (prev[i] >> 1));
                for (int i = step; i < n; i++) res[i] = (byte)(row[i] - ((row[i - step] + prev[i]) >> 1));
                break;
            default: // Paeth
                for (int i = 0; i < head; i++) res[i] = (byte)(row[i] - prev[i]);
                for (int i = step; i < n; i++) res[i] = (byte)(row[i] - Paeth(row[i - step], prev[i], prev[i - step]));
                break;
        }
    }

    private static void WriteChunk(Stream s, ReadOnlySpan<byte> type, ReadOnlySpan<byte> body)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)body.Length);
        s.Write(word);
        s.Write(type);
        s.Write(body);
        uint crc = Crc32.Append(Crc32.Compute(type), body);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        s.Write(word);
    }
}
