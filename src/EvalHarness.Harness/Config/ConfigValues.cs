using System.Globalization;
using EvalHarness.Engine;
using EvalHarness.Models.Config;

namespace EvalHarness.Harness.Config;

/// <summary>Typed reading of config nodes; every problem is a <see cref="ConfigException"/> at the node.</summary>
internal static class ConfigValues
{
    /// <summary>A scalar's text after ${NAME} / ${NAME:-default} substitution, trimmed; empty is an error.</summary>
    public static string Text(ConfigNode node, string field)
    {
        if (node is not ConfigScalar scalar || scalar.IsNull)
            throw new ConfigException(node.Location, field, $"expected a single value, not {node.Describe()}.");
        string value;
        try
        {
            value = EnvironmentSubstitution.Apply(scalar.Value ?? "");
        }
        catch (EvalHarnessException e)
        {
            throw new ConfigException(node.Location, field, e.Message);
        }
        if (string.IsNullOrWhiteSpace(value))
            throw new ConfigException(node.Location, field, "is empty; give a value or leave the key out.");
        return value.Trim();
    }

    public static int Integer(ConfigNode node, string field, int min, int max, string expected)
    {
        string s = Text(node, field);
        if (!int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
            throw new ConfigException(node.Location, field, $"'{s}' is not valid; expected {expected}.");
        return v;
    }

    public static ulong Seed(ConfigNode node, string field)
    {
        string s = Text(node, field);
        if (!ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v))
            throw new ConfigException(node.Location, field, $"'{s}' is not a valid seed; expected a whole number from 0 to {ulong.MaxValue}.");
        return v;
    }

    public static bool Boolean(ConfigNode node, string field)
    {
        string s = Text(node, field);
        return s.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw new ConfigException(node.Location, field, $"'{s}' is not valid; expected true or false."),
        };
    }

    /// <summary>One of <paramref name="valid"/> (case-insensitive), returned as listed.</summary>
    public static string Choice(ConfigNode node, string field, params string[] valid)
    {
        string s = Text(node, field);
        return valid.FirstOrDefault(v => v.Equals(s, StringComparison.OrdinalIgnoreCase))
            ?? throw new ConfigException(node.Location, field, $"'{s}' is not valid." +
                (NameMatcher.Nearest(s, valid) is { Count: > 0 } near ? $" Did you mean: {string.Join(", ", near)}?" : "") +
                $" Valid values: {string.Join(", ", valid)}.");
    }

    public static ConfigMap Map(ConfigNode node, string field, string example) =>
        node as ConfigMap ?? throw new ConfigException(node.Location, field, $"expected a mapping ({example}), not {node.Describe()}.");

    /// <summary>The mapping's non-null entries by key; an unknown key is an error naming the nearest valid ones.</summary>
    public static Dictionary<string, ConfigEntry> Fields(ConfigMap map, string? parent, IReadOnlyList<string> valid)
    {
        var result = new Dictionary<string, ConfigEntry>(StringComparer.Ordinal);
        foreach (var e in map.Entries)
        {
            string path = parent is null ? e.Key : $"{parent}.{e.Key}";
            if (!valid.Contains(e.Key))
            {
                var near = NameMatcher.Nearest(e.Key, valid);
                string hint = near.Count > 0 ? $" Did you mean: {string.Join(", ", near)}?" : "";
                throw new ConfigException(e.KeyLocation, path, $"unknown key '{e.Key}'.{hint} Valid keys{(parent is null ? "" : $" under {parent}")}: {string.Join(", ", valid)}.");
            }
            if (e.Value is not ConfigScalar { IsNull: true }) result[e.Key] = e;
        }
        return result;
    }

    /// <summary>A flat mapping of parameter names to scalar values (substituted), in the order written.</summary>
    public static IReadOnlyDictionary<string, string> Parameters(ConfigNode node, string field)
    {
        var map = Map(node, field, "name: value, ...");
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var e in map.Entries)
        {
            if (e.Value is ConfigScalar { IsNull: true }) continue;
            if (!result.TryAdd(e.Key, Text(e.Value, $"{field}.{e.Key}")))
                throw new ConfigException(e.KeyLocation, $"{field}.{e.Key}", "is given twice (parameter names are case-insensitive).");
        }
        return result;
    }
}
