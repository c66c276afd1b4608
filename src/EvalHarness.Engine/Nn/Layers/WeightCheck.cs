namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// The pass a thread is running, so that a parameter's fingerprint (<see cref="WeightFingerprint"/>) is
/// computed once per pass and not once per use: a convolution's forward and input-gradient copies of the
/// same weights, acquired by the forward and the backward of one <see cref="Graph.Execution"/>, share one
/// check. A pass computes with the weights as they were when it first used them (as a recorded forward
/// pass and its backward must); the next pass checks them again. Outside any pass (a layer called on its
/// own) every use is checked.
/// </summary>
internal static class WeightCheck
{
    [ThreadStatic] private static long t_pass;
    private static long s_lastPass;

    /// <summary>A process-unique pass number (never 0).</summary>
    public static long NewPass() => Interlocked.Increment(ref s_lastPass);

    /// <summary>Makes <paramref name="pass"/> this thread's current pass; returns the one to restore.</summary>
    public static long Enter(long pass)
    {
        long previous = t_pass;
        t_pass = pass;
        return previous;
    }

    public static void Exit(long previous) => t_pass = previous;

    /// <summary>
    /// The fingerprint of <paramref name="parameter"/>'s <paramref name="tensor"/> at <paramref name="version"/>:
    /// reused when this thread's pass already computed it for the same tensor and version, else computed.
    /// </summary>
    public static ulong Fingerprint(Parameter parameter, Tensor tensor, int version)
    {
        long pass = t_pass;
        var stamp = Volatile.Read(ref parameter.CheckStamp);
        if (pass != 0 && stamp is not null && stamp.Pass == pass && ReferenceEquals(stamp.Tensor, tensor) && stamp.Version == version)
            return stamp.Fingerprint;
        ulong fingerprint = WeightFingerprint.Compute(tensor.Data);
        if (pass != 0) Volatile.Write(ref parameter.CheckStamp, new Stamp(pass, tensor, version, fingerprint));
        return fingerprint;
    }

    /// <summary>A fingerprint and the pass, tensor and version it was computed for.</summary>
    internal sealed record Stamp(long Pass, Tensor Tensor, int Version, ulong Fingerprint);
}
