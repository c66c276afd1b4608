namespace EvalHarness.Engine.Io;

/// <summary>
/// An integer or bool tensor from a checkpoint (a BatchNorm's num_batches_tracked, an index buffer):
/// kept apart from the float tensors, its values widened to int64 in row-major order.
/// </summary>
public sealed class PyTorchIntegerTensor
{
    internal PyTorchIntegerTensor(string dtype, int[] shape, long[] values)
    {
        DType = dtype;
        _shape = shape;
        Values = values;
    }

    private readonly int[] _shape;

    /// <summary>The torch dtype the checkpoint stores ("int64", "int32", "int16", "int8", "uint8", "bool").</summary>
    public string DType { get; }

    public ReadOnlySpan<int> Shape => _shape;

    public long[] Values { get; }

    public override string ToString() => $"{DType}{ShapeUtil.Format(_shape)}";
}
