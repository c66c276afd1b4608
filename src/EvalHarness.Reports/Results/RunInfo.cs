using System.Text.Json.Nodes;

namespace EvalHarness.Reports.Results;

/// <summary>
/// run.json: everything needed to say how the numbers were obtained and to reproduce them.
/// </summary>
public sealed record RunInfo
{
    public const string CurrentFormat = "evalharness-run/1";

    public string Format { get; init; } = CurrentFormat;

    public required string Name { get; init; }

    public required ulong Seed { get; init; }

    /// <summary>SHA-256 (hex) of the canonical resolved config; shards and resumes must agree on it.</summary>
    public required string ConfigHash { get; init; }

    /// <summary>The config after includes, overrides and ${ENV} substitution, paths made absolute.</summary>
    public required JsonObject ResolvedConfig { get; init; }

    public required string EvalHarnessVersion { get; init; }

    /// <summary>Commit of the EvalHarness checkout that ran (null when not run from a git checkout).</summary>
    public string? GitCommit { get; init; }

    /// <summary>True when the checkout had uncommitted changes.</summary>
    public bool? GitDirty { get; init; }

    public required MachineInfo Machine { get; init; }

    public required DateTimeOffset StartedUtc { get; init; }

    public DateTimeOffset? FinishedUtc { get; init; }

    public required ModelInfo Model { get; init; }

    public required DatasetInfo Dataset { get; init; }

    public required IReadOnlyList<MethodInfo> Methods { get; init; }

    public required IReadOnlyList<MetricInfo> Metrics { get; init; }

    public IReadOnlyList<TimingInfo> Timings { get; init; } = [];

    /// <summary>Set when this folder holds one shard of a run.</summary>
    public ShardInfo? Shard { get; init; }

    /// <summary>Things a reader of the numbers should know (boxes dropped by the crop, images skipped, ...).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

public sealed record MachineInfo(string Os, string Runtime, string Cpu, int LogicalCores, string Gemm);

/// <summary>The model: architecture, weights file with its SHA-256, preprocessing in one line, class count.</summary>
public sealed record ModelInfo(string Name, string Architecture, string? Weights, string? WeightsSha256, string Preprocessing, int Classes);

/// <summary>The dataset: kind, where it came from, how many images it holds and how many the run selected.</summary>
public sealed record DatasetInfo(string Kind, string Source, int Available, int Selected, string Selection);

/// <summary>A method as run: its id in the run, registry name, declared version, parameters, target layer.</summary>
public sealed record MethodInfo(
    string Id, string Name, int Version, string Family, IReadOnlyDictionary<string, string> Parameters, string? TargetLayer, string Source);

/// <summary>A metric as run, with the protocol it resolved to and its declared values.</summary>
public sealed record MetricInfo(
    string Id, string Name, int Version, string Category, IReadOnlyDictionary<string, string> Parameters,
    string Protocol, string Source, IReadOnlyList<MetricValueInfo> Values);

/// <summary>A value a metric reports per image; <paramref name="Direction"/> is "higher", "lower" or "none".</summary>
public sealed record MetricValueInfo(string Name, string Direction, string Description);

/// <summary>Wall time of one stage: <paramref name="Stage"/> is "model", "method" or "metric"; <paramref name="Id"/> names the method or metric.</summary>
public sealed record TimingInfo(string Stage, string Id, double Seconds, int Images);

/// <summary>Shard <paramref name="Index"/> (0-based) of <paramref name="Count"/>.</summary>
public sealed record ShardInfo(int Index, int Count);
