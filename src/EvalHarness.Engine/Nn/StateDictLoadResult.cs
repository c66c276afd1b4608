namespace EvalHarness.Engine.Nn;

/// <summary>What a state-dict load did. Key names are the model's (after any prefix was stripped).</summary>
public sealed class StateDictLoadResult
{
    internal StateDictLoadResult(IReadOnlyList<string> loaded, IReadOnlyList<string> missing,
        IReadOnlyList<string> unexpected, IReadOnlyList<string> ignored)
    {
        Loaded = loaded;
        Missing = missing;
        Unexpected = unexpected;
        Ignored = ignored;
    }

    /// <summary>Model parameters that received a value, in model order.</summary>
    public IReadOnlyList<string> Loaded { get; }

    /// <summary>Model parameters left as they were (only when not strict).</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Given keys the model does not have (only when not strict).</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Given keys skipped on purpose (BatchNorm's num_batches_tracked).</summary>
    public IReadOnlyList<string> Ignored { get; }
}
