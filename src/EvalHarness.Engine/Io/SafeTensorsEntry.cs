namespace EvalHarness.Engine.Io;

/// <summary>
/// One tensor listed in a safetensors header: its element type, shape and the byte range
/// [<see cref="Begin"/>, <see cref="End"/>) it occupies in the data section that follows the header.
/// </summary>
public sealed class SafeTensorsEntry
{
    internal SafeTensorsEntry(string name, SafeTensorsDType dtype, int[] shape, long begin, long end)
    {
        Name = name;
        DType = dtype;
        _shape = shape;
        Begin = begin;
        End = end;
    }

    private readonly int[] _shape;

    public string Name { get; }

    public SafeTensorsDType DType { get; }

    public ReadOnlySpan<int> Shape => _shape;

    public int[] ShapeArray => (int[])_shape.Clone();

    /// <summary>Start of the tensor's bytes, relative to the start of the data section.</summary>
    public long Begin { get; }

    /// <summary>End (exclusive) of the tensor's bytes, relative to the start of the data section.</summary>
    public long End { get; }

    public long ByteLength => End - Begin;

    /// <summary>Number of elements (the product of the shape; 1 for a scalar).</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (int d in _shape) n *= d;
            return n;
        }
    }

    public override string ToString() => $"{Name}: {DType}{ShapeUtil.Format(_shape)} @ [{Begin}, {End})";
}
