using System.Runtime.CompilerServices;
using System.Text;

namespace EvalHarness.Engine;

/// <summary>
/// A dense float32 tensor in row-major (C) order. Image tensors are NCHW with the batch dimension
/// always present. The buffer is exactly <see cref="Length"/> long; reshapes share it.
/// </summary>
public sealed class Tensor
{
    private readonly int[] _shape;

    public Tensor(params int[] shape) : this(TensorBuffers.RentZeroed(ShapeUtil.Volume(shape)), shape) { }

    public Tensor(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        long volume = ShapeUtil.Volume(shape);
        if (volume != data.Length)
            throw new ShapeException($"A buffer of {data.Length} values cannot hold shape {ShapeUtil.Format(shape)} ({volume} values).");
        Data = data;
        _shape = (int[])shape.Clone();
    }

    /// <summary>A tensor whose contents are not cleared; the caller overwrites every element.</summary>
    public static Tensor Uninitialized(params int[] shape) =>
        new(TensorBuffers.RentUninitialized(ShapeUtil.Volume(shape)), shape);

    public static Tensor Zeros(params int[] shape) => new(shape);

    public static Tensor Full(float value, params int[] shape)
    {
        var t = Uninitialized(shape);
        t.Data.AsSpan().Fill(value);
        return t;
    }

    public static Tensor FromArray(float[] data, params int[] shape) => new(data, shape);

    public float[] Data { get; }

    public ReadOnlySpan<int> Shape => _shape;

    public int[] ShapeArray => (int[])_shape.Clone();

    public int Rank => _shape.Length;

    public int Length => Data.Length;

    public Span<float> Span => Data;

    public int Dim(int axis) => _shape[axis < 0 ? axis + _shape.Length : axis];

    /// <summary>Batch size (first dimension).</summary>
    public int N => _shape[0];

    /// <summary>Channels of an NCHW tensor.</summary>
    public int C => _shape[1];

    /// <summary>Height of an NCHW tensor.</summary>
    public int H => _shape[2];

    /// <summary>Width of an NCHW tensor.</summary>
    public int W => _shape[3];

    /// <summary>Number of values in one item of the batch.</summary>
    public int ItemLength => _shape.Length == 0 ? 1 : Length / Math.Max(1, _shape[0]);

    /// <summary>The values of batch item <paramref name="n"/>.</summary>
    public Span<float> Sample(int n) => Data.AsSpan(n * ItemLength, ItemLength);

    public float this[params int[] index]
    {
        get => Data[Offset(index)];
        set => Data[Offset(index)] = value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Offset4(int n, int c, int h, int w) => ((n * _shape[1] + c) * _shape[2] + h) * _shape[3] + w;

    private int Offset(int[] index)
    {
        if (index.Length != _shape.Length)
            throw new ShapeException($"Index of rank {index.Length} used on a tensor of shape {ShapeString}.");
        int offset = 0;
        for (int i = 0; i < index.Length; i++)
        {
            if ((uint)index[i] >= (uint)_shape[i])
                throw new IndexOutOfRangeException($"Index {index[i]} on axis {i} is outside 0..{_shape[i] - 1} (shape {ShapeString}).");
            offset = offset * _shape[i] + index[i];
        }
        return offset;
    }

    /// <summary>A view with another shape of the same volume; shares the buffer.</summary>
    public Tensor Reshape(params int[] shape)
    {
        int infer = Array.IndexOf(shape, -1);
        if (infer >= 0)
        {
            var s = (int[])shape.Clone();
            s[infer] = 1;
            s[infer] = Length / (int)ShapeUtil.Volume(s);
            shape = s;
        }
        return new Tensor(Data, shape);
    }

    public Tensor Clone() => new((float[])Data.Clone(), _shape);

    /// <summary>Copies batch items [start, start+count) into a new tensor.</summary>
    public Tensor SliceBatch(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > N)
            throw new ShapeException($"Batch slice [{start}, {start + count}) is outside a batch of {N}.");
        var shape = ShapeArray;
        shape[0] = count;
        var t = Uninitialized(shape);
        Data.AsSpan(start * ItemLength, count * ItemLength).CopyTo(t.Data);
        return t;
    }

    /// <summary>Stacks tensors of equal shape along the batch dimension.</summary>
    public static Tensor ConcatBatch(IReadOnlyList<Tensor> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("Nothing to concatenate.", nameof(parts));
        var shape = parts[0].ShapeArray;
        int n = 0;
        foreach (var p in parts)
        {
            if (!p.Shape[1..].SequenceEqual(parts[0].Shape[1..]))
                throw new ShapeException($"Cannot stack {p.ShapeString} with {parts[0].ShapeString}.");
            n += p.N;
        }
        shape[0] = n;
        var t = Uninitialized(shape);
        int offset = 0;
        foreach (var p in parts)
        {
            p.Data.CopyTo(t.Data, offset);
            offset += p.Length;
        }
        return t;
    }

    public bool SameShape(Tensor other) => Shape.SequenceEqual(other.Shape);

    public string ShapeString => ShapeUtil.Format(_shape);

    /// <summary>Throws when any value is NaN or infinite, naming <paramref name="what"/>.</summary>
    public void EnsureFinite(string what)
    {
        var span = Data.AsSpan();
        for (int i = 0; i < span.Length; i++)
        {
            if (!float.IsFinite(span[i]))
                throw new NonFiniteException($"{what} contains {(float.IsNaN(span[i]) ? "NaN" : "an infinite value")} at flat index {i} (shape {ShapeString}).");
        }
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("Tensor").Append(ShapeString).Append(" [");
        for (int i = 0; i < Math.Min(8, Length); i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(Data[i].ToString("G6", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (Length > 8) sb.Append(", …");
        return sb.Append(']').ToString();
    }
}
