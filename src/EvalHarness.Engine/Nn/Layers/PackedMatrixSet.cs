using EvalHarness.Engine.Gemm;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// Matrices a layer derived from its weights and packed once as GEMM operands (one per group of a
/// convolution, or one per Winograd position), disposed together.
/// </summary>
internal sealed class PackedMatrixSet(IPackedMatrix[] matrices) : IDisposable
{
    public int Count => matrices.Length;

    public IPackedMatrix this[int index] => matrices[index];

    public void Dispose()
    {
        foreach (var m in matrices) m.Dispose();
    }
}
