namespace EvalHarness.Engine.Io;

/// <summary>A storage a checkpoint's pickle refers to by persistent id: its record key, element type and length.</summary>
internal sealed record TorchStorageRef(string Key, TorchStorageType Type, string Location, long Numel)
{
    public long ByteLength => Numel * Type.ElementSize;

    public override string ToString() => $"storage '{Key}' ({Type.DType}, {Numel} elements)";
}
