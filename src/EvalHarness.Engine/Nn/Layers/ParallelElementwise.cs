namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// Elementwise work over a large buffer split into contiguous chunks and run on both cores when there is
/// enough of it (as the engine's own layers do); small buffers stay on the calling thread. For backward
/// rules and other code outside the engine that streams over activations.
/// </summary>
public static class ParallelElementwise
{
    /// <summary>Elements per chunk (256 KB of floats).</summary>
    public const int Chunk = LayerParallel.Chunk;

    /// <summary>Calls <paramref name="body"/>(start, count) for consecutive chunks covering 0..length.</summary>
    public static void For(int length, Action<int, int> body) => LayerParallel.ForChunks(length, body);
}
