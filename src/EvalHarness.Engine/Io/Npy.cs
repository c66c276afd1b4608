using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace EvalHarness.Engine.Io;

/// <summary>
/// NumPy .npy files (format versions 1.0, 2.0 and 3.0, numpy/lib/format.py): little-endian '&lt;f4', '&lt;f8',
/// '&lt;i4', '&lt;i8' and '|u1' arrays in C order. Fortran order and big-endian data are refused with the
/// NumPy call that fixes them. Writes version 1.0 (2.0 when the header needs it), header padded so the
/// data starts on a 64-byte boundary as NumPy does.
/// </summary>
public static class Npy
{
    public const string SupportedDtypes = "'<f4' (float32), '<f8' (float64), '<i4' (int32), '<i8' (int64), '|u1' (uint8)";

    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static bool HasSignature(ReadOnlySpan<byte> head) => head.Length >= 6 && head[..6].SequenceEqual(Magic);

    public static NpyArray Read(string path) => Decode(Io.ImageFile.ReadAllBytes(path), path);

    /// <summary>Reads any supported dtype as a float32 tensor of the file's shape.</summary>
    public static Tensor ReadTensor(string path) => Read(path).ToTensor();

    internal static Type? ElementType(string dtype) => dtype switch
    {
        "<f4" => typeof(float),
        "<f8" => typeof(double),
        "<i4" => typeof(int),
        "<i8" => typeof(long),
        "|u1" => typeof(byte),
        _ => null,
    };

    public static NpyArray Decode(ReadOnlySpan<byte> data, string name = "<memory>")
    {
        if (data.IsEmpty) throw new FileFormatException(name, "the file is empty (0 bytes), not a NumPy .npy file.");
        if (!HasSignature(data)) throw new FileFormatException(name, "not a NumPy .npy file (the \\x93NUMPY signature is missing).");
        if (data.Length < 10) throw new FileFormatException(name, "the .npy header is truncated.");
        int major = data[6], minor = data[7];
        int headerLength, headerStart;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(data[8..]);
            headerStart = 10;
        }
        else if (major is 2 or 3)
        {
            if (data.Length < 12) throw new FileFormatException(name, "the .npy header is truncated.");
            uint len = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
            if (len > int.MaxValue) throw new FileFormatException(name, $"the .npy header length {len} is impossible.");
            headerLength = (int)len;
            headerStart = 12;
        }
        else
        {
            throw new FileFormatException(name, $".npy format version {major}.{minor} is not supported (supported: 1.0, 2.0, 3.0).");
        }
        if (data.Length - headerStart < headerLength) throw new FileFormatException(name, "the .npy header is truncated.");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(data.Slice(headerStart, headerLength));
        var (dtype, fortran, shape) = ParseHeader(header, name);
        if (fortran)
            throw new FileFormatException(name,
                "the array is stored in Fortran (column-major) order, which is not supported; save np.ascontiguousarray(arr) instead.");
        var elementType = ElementType(dtype);
        if (elementType is null)
        {
            if (dtype.Length >= 2 && dtype[0] == '>')
                throw new FileFormatException(name,
                    $"the array is big-endian ('{dtype}'), which is not supported; save arr.astype('<{dtype[1..]}') instead.");
            throw new FileFormatException(name, $"dtype '{dtype}' is not supported; supported: {SupportedDtypes}.");
        }
        long count = 1;
        foreach (int d in shape)
        {
            count *= d;
            if (count > Array.MaxLength) throw new FileFormatException(name, $"the array shape {ShapeUtil.Format(shape)} is too large.");
        }
        int size = Marshal.SizeOf(elementType);
        var body = data[(headerStart + headerLength)..];
        if (body.Length < count * size)
            throw new FileFormatException(name, $"the .npy data is truncated ({body.Length} of {count * size} bytes present for shape {ShapeUtil.Format(shape)}).");
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Reading .npy files needs a little-endian machine.");
        var bytes = body[..(int)(count * size)];
        Array values = elementType == typeof(float) ? MemoryMarshal.Cast<byte, float>(bytes).ToArray()
            : elementType == typeof(double) ? MemoryMarshal.Cast<byte, double>(bytes).ToArray()
            : elementType == typeof(int) ? MemoryMarshal.Cast<byte, int>(bytes).ToArray()
            : elementType == typeof(long) ? MemoryMarshal.Cast<byte, long>(bytes).ToArray()
            : bytes.ToArray();
        return new NpyArray(dtype, shape, values);
    }

    /// <summary>Parses NumPy's header dict literal: {'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }.</summary>
    private static (string Dtype, bool Fortran, int[] Shape) ParseHeader(string header, string name)
    {
        string? dtype = null, shapeText = null;
        bool? fortran = null;
        int i = header.IndexOf('{');
        if (i < 0) throw Bad("no '{'");
        i++;
        while (true)
        {
            SkipSpace(header, ref i);
            if (i >= header.Length) throw Bad("the dict is not closed");
            if (header[i] == '}') break;
            string key = ReadQuoted(header, ref i) ?? throw Bad("a key is not a quoted string");
            SkipSpace(header, ref i);
            if (i >= header.Length || header[i] != ':') throw Bad($"no ':' after '{key}'");
            i++;
            SkipSpace(header, ref i);
            switch (key)
            {
                case "descr":
                    dtype = ReadQuoted(header, ref i)
                        ?? throw new FileFormatException(name, $"structured dtypes are not supported; supported: {SupportedDtypes}.");
                    break;
                case "fortran_order":
                    if (header.AsSpan(i).StartsWith("True")) { fortran = true; i += 4; }
                    else if (header.AsSpan(i).StartsWith("False")) { fortran = false; i += 5; }
                    else throw Bad("fortran_order is neither True nor False");
                    break;
                case "shape":
                    if (i >= header.Length || header[i] != '(') throw Bad("shape is not a tuple");
                    int close = header.IndexOf(')', i);
                    if (close < 0) throw Bad("shape tuple is not closed");
                    shapeText = header[(i + 1)..close];
                    i = close + 1;
                    break;
                default:
                    throw Bad($"unknown key '{key}'");
            }
            SkipSpace(header, ref i);
            if (i < header.Length && header[i] == ',') i++;
        }
        if (dtype is null || fortran is null || shapeText is null) throw Bad("'descr', 'fortran_order' or 'shape' is missing");
        var parts = shapeText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var shape = new int[parts.Length];
        for (int k = 0; k < parts.Length; k++)
        {
            var p = parts[k].TrimEnd('L');
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out shape[k]))
                throw Bad($"shape entry '{parts[k]}' is not a dimension");
        }
        return (dtype, fortran.Value, shape);

        FileFormatException Bad(string what) => new(name, $"the .npy header is malformed ({what}): {header.Trim()}");
    }

    private static void SkipSpace(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
    }

    private static string? ReadQuoted(string s, ref int i)
    {
        if (i >= s.Length || s[i] is not ('\'' or '"')) return null;
        char q = s[i];
        int end = s.IndexOf(q, i + 1);
        if (end < 0) return null;
        var value = s[(i + 1)..end];
        i = end + 1;
        return value;
    }

    public static void Write(string path, Tensor tensor) => File.WriteAllBytes(path, Encode(NpyArray.FromTensor(tensor)));

    public static void Write(string path, NpyArray array) => File.WriteAllBytes(path, Encode(array));

    public static byte[] Encode(NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        var shape = array.Shape.Length == 1
            ? $"({array.Shape[0].ToString(CultureInfo.InvariantCulture)},)"
            : "(" + string.Join(", ", array.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";
        string dict = $"{{'descr': '{array.DType}', 'fortran_order': False, 'shape': {shape}, }}";
        // Pad with spaces and a final newline so magic + version + length + header is a multiple of 64.
        int prefix = 10;
        int total = (prefix + dict.Length + 1 + 63) / 64 * 64;
        int major = 1;
        if (total - prefix > ushort.MaxValue)
        {
            major = 2;
            prefix = 12;
            total = (prefix + dict.Length + 1 + 63) / 64 * 64;
        }
        string header = dict.PadRight(total - prefix - 1) + "\n";
        var bytes = array.Data switch
        {
            float[] f => MemoryMarshal.AsBytes(f.AsSpan()),
            double[] d => MemoryMarshal.AsBytes(d.AsSpan()),
            int[] n => MemoryMarshal.AsBytes(n.AsSpan()),
            long[] l => MemoryMarshal.AsBytes(l.AsSpan()),
            byte[] b => b.AsSpan(),
            _ => throw new InvalidOperationException("unreachable"),
        };
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Writing .npy files needs a little-endian machine.");
        var output = new byte[total + bytes.Length];
        Magic.CopyTo(output);
        output[6] = (byte)major;
        output[7] = 0;
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(output.AsSpan(8), (ushort)(total - prefix));
        else BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(8), (uint)(total - prefix));
        Encoding.Latin1.GetBytes(header, output.AsSpan(prefix));
        bytes.CopyTo(output.AsSpan(total));
        return output;
    }
}
