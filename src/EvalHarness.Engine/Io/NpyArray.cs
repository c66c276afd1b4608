namespace EvalHarness.Engine.Io;

/// <summary>
/// A NumPy array as read from or written to an .npy file: its dtype descriptor ('&lt;f4', '&lt;f8', '&lt;i4',
/// '&lt;i8', '|u1'), its shape and its values in C order as float[], double[], int[], long[] or byte[].
/// </summary>
public sealed class NpyArray
{
    public NpyArray(string dtype, int[] shape, Array data)
    {
        ArgumentNullException.ThrowIfNull(dtype);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        var expected = Npy.ElementType(dtype)
            ?? throw new EvalHarnessException($"NPY dtype '{dtype}' is not supported; supported: {Npy.SupportedDtypes}.");
        if (data.GetType().GetElementType() != expected || data.Rank != 1)
            throw new EvalHarnessException($"NPY dtype '{dtype}' needs a {expected.Name}[] buffer, not {data.GetType().Name}.");
        long volume = ShapeUtil.Volume(shape);
        if (volume != data.Length)
            throw new ShapeException($"A buffer of {data.Length} values cannot hold shape {ShapeUtil.Format(shape)} ({volume} values).");
        DType = dtype;
        Shape = (int[])shape.Clone();
        Data = data;
    }

    public string DType { get; }

    public int[] Shape { get; }

    /// <summary>The values, C order: float[] for '&lt;f4', double[] '&lt;f8', int[] '&lt;i4', long[] '&lt;i8', byte[] '|u1'.</summary>
    public Array Data { get; }

    public int Length => Data.Length;

    /// <summary>The values as float32 (converted from other dtypes) in a tensor of the same shape.</summary>
    public Tensor ToTensor()
    {
        var values = Data switch
        {
            float[] f => (float[])f.Clone(),
            double[] d => Array.ConvertAll(d, v => (float)v),
            int[] i => Array.ConvertAll(i, v => (float)v),
            long[] l => Array.ConvertAll(l, v => (float)v),
            byte[] b => Array.ConvertAll(b, v => (float)v),
            _ => throw new InvalidOperationException("unreachable"),
        };
        return new Tensor(values, Shape);
    }

    public static NpyArray FromTensor(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return new NpyArray("<f4", tensor.ShapeArray, tensor.Data);
    }

    public override string ToString() => $"NpyArray {DType} {ShapeUtil.Format(Shape)}";
}
