using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace EvalHarness.Engine.Tests.Layers;

/// <summary>
/// Reads the NumPy .npy files the fixture script writes: format version 1–3, C order, little-endian
/// float32 ('&lt;f4'), float64 ('&lt;f8') or int64 ('&lt;i8').
/// </summary>
internal static partial class NpyReader
{
    public sealed record Array(string Descr, int[] Shape, byte[] Data)
    {
        public int Count => Shape.Aggregate(1, (a, b) => a * b);

        public float[] Floats() => Descr switch
        {
            "<f4" => Enumerable.Range(0, Count).Select(i => BinaryPrimitives.ReadSingleLittleEndian(Data.AsSpan(4 * i))).ToArray(),
            "<f8" => Enumerable.Range(0, Count).Select(i => (float)BinaryPrimitives.ReadDoubleLittleEndian(Data.AsSpan(8 * i))).ToArray(),
            _ => throw new InvalidDataException($"dtype {Descr} is not a float type"),
        };

        public long[] Int64s() => Descr == "<i8"
            ? Enumerable.Range(0, Count).Select(i => BinaryPrimitives.ReadInt64LittleEndian(Data.AsSpan(8 * i))).ToArray()
            : throw new InvalidDataException($"dtype {Descr} is not int64");

        public Tensor ToTensor() => new(Floats(), Shape.Length == 0 ? [1] : Shape);
    }

    public static Array Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{path}: not an .npy file");
        int major = bytes[6];
        int headerLength, start;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
            start = 10;
        }
        else
        {
            headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
            start = 12;
        }
        string header = Encoding.UTF8.GetString(bytes, start, headerLength);
        string descr = DescrPattern().Match(header).Groups[1].Value;
        if (FortranPattern().Match(header).Groups[1].Value != "False")
            throw new InvalidDataException($"{path}: Fortran order is not supported");
        var shapeText = ShapePattern().Match(header).Groups[1].Value;
        int[] shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        int itemSize = descr switch { "<f4" => 4, "<f8" => 8, "<i8" => 8, _ => throw new InvalidDataException($"{path}: dtype {descr} is not supported") };
        int count = shape.Aggregate(1, (a, b) => a * b);
        int dataStart = start + headerLength;
        if (bytes.Length - dataStart != count * itemSize)
            throw new InvalidDataException($"{path}: {bytes.Length - dataStart} data bytes for shape ({shapeText}) of {descr}");
        return new Array(descr, shape, bytes[dataStart..]);
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order':\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
