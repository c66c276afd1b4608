using EvalHarness.Harness.Datasets;

namespace EvalHarness.Harness.Running;

/// <summary>Where and how a plan runs.</summary>
public sealed record RunOptions
{
    /// <summary>The results folder (created when missing).</summary>
    public required string Directory { get; init; }

    /// <summary>Continue the run whose store.sqlite is in <see cref="Directory"/> (refused when its config hash differs).</summary>
    public bool Resume { get; init; }

    /// <summary>An already opened dataset (validation opens it); null opens the plan's.</summary>
    public IDataset? Dataset { get; init; }

    /// <summary>Whether to write the reports after the tables (the plan's outputs.report decides too).</summary>
    public bool Reports { get; init; } = true;
}
