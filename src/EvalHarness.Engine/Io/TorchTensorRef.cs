namespace EvalHarness.Engine.Io;

/// <summary>
/// A tensor as torch._utils._rebuild_tensor_v2 describes it: a view of a storage with an element
/// offset, a size and a stride (in elements). Its values are read only when the tensor is materialized.
/// </summary>
internal sealed record TorchTensorRef(TorchStorageRef Storage, long Offset, long[] Size, long[] Stride)
{
    public override string ToString() => $"a {Storage.Type.DType} tensor of size ({string.Join(", ", Size)})";
}
