using EvalHarness.Engine;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EvalHarness.Harness.Config;

/// <summary>
/// Reads a run config file into <see cref="ConfigNode"/>s and applies <c>include:</c>: the included
/// file (a path relative to the including file, or a list of them, earlier ones first) is read the
/// same way and the including file's values are deep-merged over it (mappings merge key by key,
/// anything else is replaced; <c>key: null</c> removes an inherited value). Include cycles are refused.
/// </summary>
public static class ConfigDocument
{
    public const string IncludeKey = "include";

    /// <summary>The merged root mapping of <paramref name="path"/> and everything it includes.</summary>
    public static ConfigMap Load(string path) => Load(path, []);

    /// <summary>Parses YAML text (no includes resolved) naming <paramref name="file"/> in errors.</summary>
    public static ConfigMap Parse(string yaml, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigException(new ConfigLocation(file, (int)e.Start.Line, (int)e.Start.Column), null, $"YAML syntax error: {StripMark(e.Message)}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up this way on some unclosed flow collections ("[a, b" at the end
            // of a line); the last token it could read is where the problem starts.
            var (line, column) = EvalHarness.Models.Config.YamlScan.LastReadablePosition(yaml);
            throw new ConfigException(new ConfigLocation(file, line, column), null, EvalHarness.Models.Config.YamlScan.UnclosedMessage);
        }
        if (stream.Documents.Count == 0)
            throw new ConfigException(new ConfigLocation(file, 0, 0), null, "the file is empty; a run config needs at least model, dataset and methods.");
        if (stream.Documents.Count > 1)
            throw new ConfigException(Where(file, stream.Documents[1].RootNode), null, $"the file holds {stream.Documents.Count} YAML documents; a run config is one document.");
        var root = Convert(stream.Documents[0].RootNode, file);
        return root as ConfigMap
            ?? throw new ConfigException(root.Location, null, $"a run config is a mapping of keys (name: ..., model: ..., methods: ...), not {root.Describe()}.");
    }

    private static ConfigMap Load(string path, List<string> chain)
    {
        string full = Path.GetFullPath(path);
        if (chain.Contains(full, StringComparer.Ordinal))
            throw new EvalHarnessException($"include cycle: {string.Join(" → ", chain.SkipWhile(c => c != full).Append(full))}; a config cannot include itself.");
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileFormatException(path, "config file not found.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileFormatException(path, Directory.Exists(full) ? "is a directory; give a run config file (.yaml)." : $"cannot be read ({e.Message}).");
        }
        var map = Parse(text, path);
        var include = map.Find(IncludeKey);
        if (include is null || include.Value is ConfigScalar { IsNull: true }) return Without(map, IncludeKey);
        var files = include.Value switch
        {
            ConfigScalar s => [s],
            ConfigList l => l.Items.Select(i => i as ConfigScalar
                ?? throw new ConfigException(i.Location, IncludeKey, $"expected a file name, not {i.Describe()}.")).ToList(),
            var other => throw new ConfigException(other.Location, IncludeKey, $"expected a config file name or a list of them, not {other.Describe()}."),
        };
        ConfigMap? merged = null;
        chain.Add(full);
        foreach (var f in files)
        {
            string name = ConfigValues.Text(f, IncludeKey);
            string target = Path.GetFullPath(Path.Combine(f.Location.Directory, name));
            if (!File.Exists(target))
                throw new ConfigException(f.Location, IncludeKey, $"the included config {target} does not exist (paths are relative to the including file's folder).");
            ConfigMap baseMap;
            try
            {
                baseMap = Load(target, chain);
            }
            catch (EvalHarnessException e) when (e is not ConfigException)
            {
                throw new ConfigException(f.Location, IncludeKey, e.Message);
            }
            merged = merged is null ? baseMap : (ConfigMap)Merge(merged, baseMap);
        }
        chain.RemoveAt(chain.Count - 1);
        return (ConfigMap)Merge(merged!, Without(map, IncludeKey));
    }

    /// <summary><paramref name="over"/> merged over <paramref name="under"/>: mappings key by key, everything else replaced.</summary>
    public static ConfigNode Merge(ConfigNode under, ConfigNode over)
    {
        if (under is not ConfigMap a || over is not ConfigMap b) return over;
        var entries = new List<ConfigEntry>();
        foreach (var e in a.Entries)
        {
            var o = b.Find(e.Key);
            entries.Add(o is null ? e : new ConfigEntry(e.Key, o.KeyLocation, Merge(e.Value, o.Value)));
        }
        entries.AddRange(b.Entries.Where(e => a.Find(e.Key) is null));
        return new ConfigMap(b.Location, entries);
    }

    private static ConfigMap Without(ConfigMap map, string key) => new(map.Location, map.Entries.Where(e => e.Key != key).ToList());

    private static ConfigNode Convert(YamlNode node, string file)
    {
        var at = Where(file, node);
        switch (node)
        {
            case YamlScalarNode s:
                return new ConfigScalar(at, s.Value, s.Style is not (ScalarStyle.Plain or ScalarStyle.Any));
            case YamlSequenceNode seq:
                return new ConfigList(at, seq.Children.Select(c => Convert(c, file)).ToList());
            case YamlMappingNode map:
                var entries = new List<ConfigEntry>();
                foreach (var (k, v) in map.Children)
                {
                    if (k is not YamlScalarNode { Value: { Length: > 0 } key })
                        throw new ConfigException(Where(file, k), null, "keys must be plain names.");
                    if (entries.Any(e => e.Key == key))
                        throw new ConfigException(Where(file, k), key, $"the key '{key}' is given twice in the same mapping (first at line {entries.First(e => e.Key == key).KeyLocation.Line}).");
                    entries.Add(new ConfigEntry(key, Where(file, k), Convert(v, file)));
                }
                return new ConfigMap(at, entries);
            default:
                throw new ConfigException(at, null, $"unsupported YAML node ({node.NodeType}); aliases and tags are not used in configs.");
        }
    }

    private static ConfigLocation Where(string file, YamlNode node) => new(file, (int)node.Start.Line, (int)node.Start.Column);

    /// <summary>YamlDotNet prefixes its messages with "(Line: .., Col: .., Idx: ..) - (...): "; the location is reported separately.</summary>
    private static string StripMark(string m)
    {
        int colon = m.IndexOf("): ", StringComparison.Ordinal);
        return m.StartsWith("(Line:", StringComparison.Ordinal) && colon > 0 ? m[(colon + 3)..] : m;
    }
}
