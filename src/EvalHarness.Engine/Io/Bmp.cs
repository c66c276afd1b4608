using System.Buffers.Binary;
using System.Numerics;
using EvalHarness.Engine.Imaging;

namespace EvalHarness.Engine.Io;

/// <summary>
/// Windows BMP reader for uncompressed 24-bit and 32-bit images (BI_RGB, or BI_BITFIELDS with one byte
/// per colour), bottom-up or top-down, any info header from BITMAPCOREHEADER to BITMAPV5HEADER. The
/// fourth byte of 32-bit pixels is ignored, as PIL's BGRX reading does.
/// </summary>
public static class Bmp
{
    private const int FileHeaderSize = 14;

    public static bool HasSignature(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == (byte)'B' && head[1] == (byte)'M';

    public static Image Read(string path) => Decode(ImageFile.ReadAllBytes(path), path);

    public static Image Decode(ReadOnlySpan<byte> data, string name = "<memory>")
    {
        if (data.IsEmpty) throw new FileFormatException(name, "the file is empty (0 bytes), not a BMP image.");
        if (!HasSignature(data)) throw new FileFormatException(name, "not a BMP file (it does not start with 'BM').");
        if (data.Length < FileHeaderSize + 12)
            throw new FileFormatException(name, $"the BMP headers are truncated ({data.Length} bytes).");
        uint pixelOffset = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]);
        int infoSize = BinaryPrimitives.ReadInt32LittleEndian(data[14..]);
        if (infoSize is not (12 or 40 or 52 or 56 or 64 or 108 or 124))
            throw new FileFormatException(name, $"unknown BMP info header size {infoSize} (known: 12, 40, 52, 56, 64, 108, 124).");
        if (data.Length < FileHeaderSize + infoSize)
            throw new FileFormatException(name, "the BMP info header is truncated.");
        var info = data.Slice(FileHeaderSize, infoSize);
        int width, height, bits;
        uint compression = 0;
        if (infoSize == 12)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(info[4..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(info[6..]);
            bits = BinaryPrimitives.ReadUInt16LittleEndian(info[10..]);
        }
        else
        {
            width = BinaryPrimitives.ReadInt32LittleEndian(info[4..]);
            height = BinaryPrimitives.ReadInt32LittleEndian(info[8..]);
            bits = BinaryPrimitives.ReadUInt16LittleEndian(info[14..]);
            compression = BinaryPrimitives.ReadUInt32LittleEndian(info[16..]);
        }
        bool topDown = height < 0;
        if (height == int.MinValue || width < 0)
            throw new FileFormatException(name, $"the BMP header gives an impossible size ({width}×{height}).");
        height = Math.Abs(height);
        if (width == 0 || height == 0)
            throw new FileFormatException(name, $"the BMP header gives an empty image ({width}×{height}); width and height must be at least 1.");

        // Byte offsets of R, G, B inside one pixel.
        int r = 2, g = 1, b = 0;
        const uint BiRgb = 0, BiBitfields = 3, BiAlphaBitfields = 6;
        bool supported = (bits == 24 && compression == BiRgb) || (bits == 32 && compression is BiRgb or BiBitfields or BiAlphaBitfields);
        if (!supported)
            throw new FileFormatException(name,
                $"BMP with {bits} bits per pixel and compression {CompressionName(compression)} is not supported; supported: uncompressed 24-bit and 32-bit BMP.");
        if (compression is BiBitfields or BiAlphaBitfields)
        {
            // Masks follow a 40-byte header, or sit inside larger headers at the same place.
            int at = FileHeaderSize + 40;
            if (data.Length < at + 12) throw new FileFormatException(name, "the BMP colour masks are truncated.");
            uint rm = BinaryPrimitives.ReadUInt32LittleEndian(data[at..]);
            uint gm = BinaryPrimitives.ReadUInt32LittleEndian(data[(at + 4)..]);
            uint bm = BinaryPrimitives.ReadUInt32LittleEndian(data[(at + 8)..]);
            if (!ByteMask(rm, out r) || !ByteMask(gm, out g) || !ByteMask(bm, out b))
                throw new FileFormatException(name,
                    $"BMP colour masks R 0x{rm:X8}, G 0x{gm:X8}, B 0x{bm:X8} are not supported; each must select one whole byte (e.g. 0x00FF0000).");
        }

        int bytesPerPixel = bits / 8;
        long stride = ((long)width * bits + 31) / 32 * 4;
        long needed = pixelOffset + stride * (height - 1) + (long)width * bytesPerPixel;
        if (needed > data.Length)
            throw new FileFormatException(name,
                $"the BMP pixel data is truncated ({data.Length} bytes, {needed} needed for {width}×{height} at {bits} bits).");
        if ((long)width * height * 3 > Array.MaxLength)
            throw new FileFormatException(name, $"the BMP image is too large to decode ({width}×{height}).");

        var image = new Image(width, height);
        var px = image.Pixels;
        for (int y = 0; y < height; y++)
        {
            int srcRow = topDown ? y : height - 1 - y;
            var src = data.Slice((int)(pixelOffset + srcRow * stride), width * bytesPerPixel);
            int o = y * width * 3;
            for (int x = 0; x < width; x++)
            {
                int s = x * bytesPerPixel;
                px[o + 3 * x] = src[s + r];
                px[o + 3 * x + 1] = src[s + g];
                px[o + 3 * x + 2] = src[s + b];
            }
        }
        return image;
    }

    private static bool ByteMask(uint mask, out int byteIndex)
    {
        int shift = BitOperations.TrailingZeroCount(mask);
        byteIndex = shift / 8;
        return mask != 0 && shift % 8 == 0 && mask >> shift == 0xFF;
    }

    private static string CompressionName(uint c) => c switch
    {
        0 => "BI_RGB (none)",
        1 => "BI_RLE8",
        2 => "BI_RLE4",
        3 => "BI_BITFIELDS",
        4 => "BI_JPEG",
        5 => "BI_PNG",
        6 => "BI_ALPHABITFIELDS",
        _ => c.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
