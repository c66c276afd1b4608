using System.Globalization;
using EvalHarness.Engine.Imaging;

namespace EvalHarness.Engine.Io;

/// <summary>
/// Binary Netpbm reader: P6 (PPM, RGB) and P5 (PGM, grey → R = G = B). Samples are one byte when maxval
/// &lt; 256, else two bytes big-endian; a maxval other than 255 is rescaled as PIL 9.x does:
/// min(255, round(v / maxval · 255)) with Python's round-half-to-even. (PIL keeps P5 with maxval &gt; 255
/// as 32-bit integers, which its RGB conversion saturates; here those are rescaled like P6.)
/// </summary>
public static class Ppm
{
    public static bool HasSignature(ReadOnlySpan<byte> head) =>
        head.Length >= 3 && head[0] == (byte)'P' && head[1] is (byte)'5' or (byte)'6' && IsSpace(head[2]);

    public static Image Read(string path) => Decode(ImageFile.ReadAllBytes(path), path);

    public static Image Decode(ReadOnlySpan<byte> data, string name = "<memory>")
    {
        if (data.IsEmpty) throw new FileFormatException(name, "the file is empty (0 bytes), not a PPM image.");
        if (!HasSignature(data))
            throw new FileFormatException(name, "not a binary PPM/PGM file (it does not start with P6 or P5); plain-text P3/P2 is not supported.");
        bool rgb = data[1] == (byte)'6';
        int pos = 2;
        int width = ReadNumber(data, ref pos, name, "width");
        int height = ReadNumber(data, ref pos, name, "height");
        int maxval = ReadNumber(data, ref pos, name, "maxval");
        if (pos >= data.Length || !IsSpace(data[pos]))
            throw new FileFormatException(name, "the PPM header must end with one whitespace byte after maxval; the pixel data is missing.");
        pos++;
        if (width == 0 || height == 0)
            throw new FileFormatException(name, $"the PPM header gives an empty image ({width}×{height}); width and height must be at least 1.");
        if (maxval is < 1 or > 65535)
            throw new FileFormatException(name, $"PPM maxval {maxval} is invalid; it must be 1-65535.");
        int channels = rgb ? 3 : 1, bytesPerSample = maxval < 256 ? 1 : 2;
        long samples = (long)width * height * channels;
        if (samples * 3 / channels > Array.MaxLength)
            throw new FileFormatException(name, $"the PPM image is too large to decode ({width}×{height}).");
        long needed = samples * bytesPerSample;
        if (data.Length - pos < needed)
            throw new FileFormatException(name, $"the PPM pixel data is truncated ({data.Length - pos} of {needed} bytes present).");

        var body = data.Slice(pos, (int)needed);
        var values = new byte[samples];
        if (maxval == 255)
        {
            body.CopyTo(values);
        }
        else
        {
            for (int i = 0; i < values.Length; i++)
            {
                int v = bytesPerSample == 1 ? body[i] : (body[2 * i] << 8) | body[2 * i + 1];
                values[i] = (byte)Math.Min(255.0, Math.Round((double)v / maxval * 255.0, MidpointRounding.ToEven));
            }
        }
        return rgb ? new Image(width, height, values) : Image.FromGray(width, height, values);
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0B or 0x0C;

    private static int ReadNumber(ReadOnlySpan<byte> data, ref int pos, string name, string what)
    {
        while (pos < data.Length)
        {
            if (IsSpace(data[pos])) pos++;
            else if (data[pos] == (byte)'#')
                while (pos < data.Length && data[pos] is not ((byte)'\n' or (byte)'\r')) pos++;
            else break;
        }
        int start = pos;
        while (pos < data.Length && data[pos] is >= (byte)'0' and <= (byte)'9') pos++;
        if (pos == start || pos - start > 9)
        {
            string found = pos >= data.Length ? "the end of the file" : $"'{(char)data[pos]}'";
            throw new FileFormatException(name, $"the PPM header's {what} is missing or invalid (found {found} at byte {start}).");
        }
        return int.Parse(System.Text.Encoding.ASCII.GetString(data[start..pos]), NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
