namespace EvalHarness.Engine.Io;

/// <summary>
/// A typed storage class a PyTorch checkpoint names for its storages (torch.FloatStorage, ...): the
/// element type of the raw little-endian bytes in the archive's data/&lt;key&gt; record.
/// </summary>
internal sealed class TorchStorageType
{
    public static readonly TorchStorageType Float32 = new("FloatStorage", "float32", 4, isFloat: true);
    public static readonly TorchStorageType Float16 = new("HalfStorage", "float16", 2, isFloat: true);
    public static readonly TorchStorageType BFloat16 = new("BFloat16Storage", "bfloat16", 2, isFloat: true);
    public static readonly TorchStorageType Float64 = new("DoubleStorage", "float64", 8, isFloat: true);
    public static readonly TorchStorageType Int64 = new("LongStorage", "int64", 8, isFloat: false);
    public static readonly TorchStorageType Int32 = new("IntStorage", "int32", 4, isFloat: false);
    public static readonly TorchStorageType Int16 = new("ShortStorage", "int16", 2, isFloat: false);
    public static readonly TorchStorageType Int8 = new("CharStorage", "int8", 1, isFloat: false);
    public static readonly TorchStorageType UInt8 = new("ByteStorage", "uint8", 1, isFloat: false);
    public static readonly TorchStorageType Bool = new("BoolStorage", "bool", 1, isFloat: false);

    public static readonly IReadOnlyList<TorchStorageType> All =
        [Float32, Float16, BFloat16, Float64, Int64, Int32, Int16, Int8, UInt8, Bool];

    private TorchStorageType(string className, string dtype, int elementSize, bool isFloat)
    {
        ClassName = className;
        DType = dtype;
        ElementSize = elementSize;
        IsFloat = isFloat;
    }

    /// <summary>The class name in module torch, e.g. "FloatStorage".</summary>
    public string ClassName { get; }

    /// <summary>The torch dtype name, e.g. "float32".</summary>
    public string DType { get; }

    public int ElementSize { get; }

    /// <summary>True for the floating-point types that load as float32 tensors.</summary>
    public bool IsFloat { get; }

    public override string ToString() => "torch." + ClassName;
}
