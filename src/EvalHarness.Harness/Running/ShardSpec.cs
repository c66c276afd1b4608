using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EvalHarness.Engine;

namespace EvalHarness.Harness.Running;

/// <summary>
/// Shard <see cref="Index"/> (0-based) of <see cref="Count"/>: the images of a run whose id hashes to
/// this index. The hash is the first 8 bytes of SHA-256 of the id's UTF-8 bytes, big-endian, modulo the
/// count, so an image's shard depends on its id alone: not on file order, the machine or the process.
/// The partition is applied after the run's subset selection, so the shards together score exactly the
/// images of the unsharded run.
/// </summary>
public sealed record ShardSpec(int Index, int Count)
{
    /// <summary>The environment variables read when no --shard is given, in order of precedence.</summary>
    public const string KubernetesIndex = "JOB_COMPLETION_INDEX", SlurmIndex = "SLURM_ARRAY_TASK_ID",
        CountVariable = "EVALHARNESS_SHARD_COUNT", SlurmCount = "SLURM_ARRAY_TASK_COUNT";

    public bool Contains(string imageId) => Of(imageId, Count) == Index;

    public static int Of(string imageId, int count)
    {
        ArgumentNullException.ThrowIfNull(imageId);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(imageId), hash);
        return (int)(BinaryPrimitives.ReadUInt64BigEndian(hash) % (ulong)count);
    }

    public override string ToString() => FormattableString.Invariant($"{Index}/{Count}");

    /// <summary>Parses "i/n" (0 ≤ i &lt; n); <paramref name="source"/> names where the text came from in errors.</summary>
    public static ShardSpec Parse(string text, string source = "--shard")
    {
        var parts = (text ?? "").Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int i)
            || !int.TryParse(parts[1].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n))
            throw new EvalHarnessException($"{source} '{text}' is not a shard; give index/count with a 0-based index, e.g. 0/4 … 3/4.");
        return Checked(i, n, source, text!);
    }

    private static ShardSpec Checked(int i, int n, string source, string text)
    {
        if (n < 1) throw new EvalHarnessException($"{source} '{text}': the shard count must be at least 1.");
        if (i < 0 || i >= n) throw new EvalHarnessException($"{source} '{text}': the index must be 0 to {n - 1} for {n} shard(s) (0-based).");
        return new ShardSpec(i, n);
    }

    /// <summary>
    /// The shard from a scheduler's environment, or null when no index variable is set: the index from
    /// JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs) or SLURM_ARRAY_TASK_ID (Slurm job arrays, submitted
    /// as --array=0-(N−1)), the count from EVALHARNESS_SHARD_COUNT or else SLURM_ARRAY_TASK_COUNT. A shard
    /// re-run alone (--array=i) must set EVALHARNESS_SHARD_COUNT, since its array then counts one task.
    /// </summary>
    public static (ShardSpec Shard, string Source)? FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        string? Get(string name) => read(name) is { Length: > 0 } v ? v.Trim() : null;
        string? indexName = Get(KubernetesIndex) is not null ? KubernetesIndex : Get(SlurmIndex) is not null ? SlurmIndex : null;
        if (indexName is null) return null;
        string? countName = Get(CountVariable) is not null ? CountVariable : Get(SlurmCount) is not null ? SlurmCount : null;
        if (countName is null)
            throw new EvalHarnessException($"{indexName} is set but no shard count is: set {CountVariable} (or {SlurmCount} under Slurm), or give --shard index/count.");
        int Int(string name)
        {
            if (!int.TryParse(Get(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                throw new EvalHarnessException($"the environment variable {name}='{Get(name)}' is not an integer.");
            return v;
        }
        int index = Int(indexName);
        int count = Int(countName);
        string source = $"{indexName}, {countName}";
        return (Checked(index, count, source, $"{index}/{count}"), source);
    }
}
