using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvalHarness.Harness.Config;
using EvalHarness.Harness.Datasets;
using EvalHarness.Models.Config;

namespace EvalHarness.Harness;

/// <summary>
/// A run config after includes, overrides, ${ENV} substitution, defaults and validation: immutable,
/// everything resolved (paths absolute, method ids and layers filled in). <see cref="ResolvedConfig"/>
/// is its canonical JSON and <see cref="ConfigHash"/> the SHA-256 of that text; resumes and shards must
/// agree on it. Create with <see cref="Load"/>.
/// </summary>
public sealed record RunPlan
{
    public required string ConfigPath { get; init; }

    public required string Name { get; init; }

    public required ulong Seed { get; init; }

    public required ModelConfig Model { get; init; }

    public required DatasetSpec Dataset { get; init; }

    /// <summary>Number of images to use; null for all.</summary>
    public int? Limit { get; init; }

    public SubsetMode SubsetMode { get; init; } = SubsetMode.First;

    /// <summary><see cref="SubsetMode"/> as <see cref="Datasets.Subset"/> names it ("first" or "random").</summary>
    public string SubsetModeName => SubsetMode == SubsetMode.First ? Datasets.Subset.First : Datasets.Subset.Random;

    public TargetMode Target { get; init; } = TargetMode.Predicted;

    public int BatchSize { get; init; } = RunConfigReader.DefaultBatchSize;

    public required IReadOnlyList<MethodPlan> Methods { get; init; }

    public required IReadOnlyList<MetricPlan> Metrics { get; init; }

    /// <summary>How many of the first images get their input PNG and maps saved in gallery/.</summary>
    public int Gallery { get; init; } = RunConfigReader.DefaultGallery;

    /// <summary>Whether the HTML/markdown reports are written after the tables.</summary>
    public bool Report { get; init; } = true;

    public required JsonObject ResolvedConfig { get; init; }

    public required string ConfigHash { get; init; }

    /// <summary>Reads and validates a run config: every field, the model config, the method and metric names and parameters (by constructing them), the layers. The dataset is opened separately (<see cref="Datasets.DatasetCatalog.Create"/>).</summary>
    public static RunPlan Load(string path, PlanOverrides? overrides = null) => RunConfigReader.Read(path, overrides ?? new PlanOverrides());

    /// <summary>Seed of a method's or metric's random choices, derived from the run seed by its name.</summary>
    public ulong SeedFor(string kind, string name) => Engine.Rng.Derive(Seed, $"{kind}/{name.ToLowerInvariant()}").NextUInt64();

    /// <summary>Canonical JSON of <paramref name="config"/> (compact, keys in the order built) and its SHA-256.</summary>
    internal static string Hash(JsonObject config) => PlanText.Sha256(config.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));

    /// <summary>A few lines for people: the resolved plan.</summary>
    public string Describe()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        void Line(string key, string value) => sb.Append(key.PadRight(12)).Append(value).Append('\n');
        Line("name", Name);
        Line("config", ConfigPath);
        Line("hash", ConfigHash);
        Line("seed", Seed.ToString(inv));
        Line("model", $"{Model.Name} ({Model.Architecture}; {Model.WeightsDescription})");
        Line("input", $"{Model.InputSize.Width}×{Model.InputSize.Height}, {Model.Preprocessing}");
        Line("dataset", $"{Dataset.Kind}: {string.Join(", ", Dataset.Fields.Select(f => $"{f.Key}={f.Value}"))}");
        Line("images", (Limit is int l ? $"{l.ToString(inv)} ({SubsetMode.ToString().ToLowerInvariant()})" : "all") + $", batches of {BatchSize.ToString(inv)}");
        Line("target", Target.ToString().ToLowerInvariant());
        foreach (var m in Methods)
            Line("method", $"{m.Id}: {m.Descriptor.Name} v{m.Descriptor.Version}" + (m.Layer is null ? "" : $" on {m.Layer}") +
                (m.Parameters.Count == 0 ? "" : $" ({string.Join(", ", m.Parameters.Select(p => $"{p.Key}={p.Value}"))})"));
        foreach (var m in Metrics)
            Line("metric", $"{m.Id}: {m.Descriptor.Name} v{m.Descriptor.Version}" +
                (m.Parameters.Count == 0 ? "" : $" ({string.Join(", ", m.Parameters.Select(p => $"{p.Key}={p.Value}"))})"));
        Line("outputs", $"gallery {Gallery.ToString(inv)}, report {(Report ? "yes" : "no")}");
        return sb.ToString();
    }
}

/// <summary>Command-line values that replace config fields before validation (they count in the config hash).</summary>
public sealed record PlanOverrides
{
    public int? Limit { get; init; }
}
