namespace EvalHarness.Harness.Config;

/// <summary>A YAML mapping with plain-text keys, in the order written (keys are unique).</summary>
public sealed class ConfigMap(ConfigLocation location, IReadOnlyList<ConfigEntry> entries) : ConfigNode(location)
{
    public IReadOnlyList<ConfigEntry> Entries { get; } = entries;

    public ConfigEntry? Find(string key) => Entries.FirstOrDefault(e => e.Key == key);

    public ConfigNode? this[string key] => Find(key)?.Value;

    public override string Describe() => "a mapping";
}

/// <summary>One key of a mapping: where the key was written, and its value.</summary>
public sealed record ConfigEntry(string Key, ConfigLocation KeyLocation, ConfigNode Value);
