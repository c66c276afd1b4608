using EvalHarness.Harness.Datasets;

namespace EvalHarness.Harness.Running;

/// <summary>Where and how a plan runs.</summary>
public sealed record RunOptions
{
    /// <summary>The results folder (created when missing).</summary>
    public required string Directory { get; init; }

    /// <summary>Continue the run whose store.sqlite is in <see cref="Directory"/> (refused when its config hash differs).</summary>
    public bool Resume { get; init; }

    /// <summary>
    /// With <see cref="Resume"/>: accept a config that differs from the stored one only in <c>metrics</c>
    /// and <c>outputs</c> (a metric added to a finished run): the stored maps are reused, only the new
    /// evaluations are computed, and the store takes the new config.
    /// </summary>
    public bool Extend { get; init; }

    /// <summary>An already opened dataset (validation opens it); null opens the plan's.</summary>
    public IDataset? Dataset { get; init; }

    /// <summary>Run only this shard of the selected images (null: all of them).</summary>
    public ShardSpec? Shard { get; init; }

    /// <summary>The history database (history.sqlite) the finished run's summary is appended to; null appends nowhere.</summary>
    public string? HistoryPath { get; init; }

    /// <summary>Whether to write the reports after the tables (the plan's outputs.report decides too).</summary>
    public bool Reports { get; init; } = true;
}
