namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// Runs independent pieces of a layer (channels, images) on the thread pool when there is enough work
/// to pay for it; small tensors stay on the calling thread.
/// </summary>
internal static class LayerParallel
{
    /// <summary>Element visits (or multiply-adds) below which a loop is not split across threads.</summary>
    public const long MinParallelWork = 1L << 17;

    public static void For(int count, long totalWork, Action<int> body)
    {
        if (count <= 1 || totalWork < MinParallelWork || Environment.ProcessorCount == 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        Parallel.For(0, count, body);
    }
}
