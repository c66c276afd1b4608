using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace EvalHarness.Engine.Tests.Io;

/// <summary>
/// A minimal reader of NumPy's .npy files (format versions 1–3, C order, little-endian f4/f8/i8/i4
/// and b1) for test fixtures written with numpy.save.
/// </summary>
internal sealed partial class NpyArray
{
    private NpyArray(string descr, int[] shape, byte[] data)
    {
        Descr = descr;
        Shape = shape;
        Data = data;
    }

    public string Descr { get; }

    public int[] Shape { get; }

    public byte[] Data { get; }

    public int Count => Shape.Aggregate(1, (a, b) => a * b);

    public static NpyArray Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || !bytes.AsSpan(1, 5).SequenceEqual("NUMPY"u8))
            throw new InvalidDataException($"{path}: not an .npy file");
        int major = bytes[6];
        int headerLength, start;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)); start = 10; }
        else { headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)); start = 12; }
        string header = Encoding.Latin1.GetString(bytes, start, headerLength);
        string descr = DescrPattern().Match(header).Groups[1].Value;
        if (!header.Contains("'fortran_order': False", StringComparison.Ordinal))
            throw new InvalidDataException($"{path}: only C-order arrays are read");
        var shapeText = ShapePattern().Match(header).Groups[1].Value;
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        var data = bytes[(start + headerLength)..];
        return new NpyArray(descr, shape, data);
    }

    public float[] ToFloat32()
    {
        if (Descr != "<f4") throw new InvalidDataException($"expected <f4, the file holds {Descr}");
        var values = new float[Count];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(Data.AsSpan(4 * i));
        return values;
    }

    public long[] ToInt64()
    {
        var values = new long[Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Descr switch
            {
                "<i8" => BinaryPrimitives.ReadInt64LittleEndian(Data.AsSpan(8 * i)),
                "<i4" => BinaryPrimitives.ReadInt32LittleEndian(Data.AsSpan(4 * i)),
                "|b1" or "|u1" => Data[i],
                _ => throw new InvalidDataException($"expected an integer array, the file holds {Descr}"),
            };
        }
        return values;
    }

    [GeneratedRegex(@"'descr':\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
