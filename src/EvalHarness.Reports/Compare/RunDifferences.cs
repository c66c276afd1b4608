using System.Text.Json.Nodes;
using EvalHarness.Reports.Results;

namespace EvalHarness.Reports.Compare;

/// <summary>What differs between two runs' run.json: config keys, versions, model, dataset, methods and metrics.</summary>
public static class RunDifferences
{
    public const int MaxConfigKeys = 20;

    public static List<string> Of(RunInfo a, RunInfo b)
    {
        var d = new List<string>();
        void Check(string what, string? x, string? y)
        {
            if (!string.Equals(x, y, StringComparison.Ordinal)) d.Add($"{what}: {x ?? "(none)"} → {y ?? "(none)"}");
        }
        Check("EvalHarness version", a.EvalHarnessVersion, b.EvalHarnessVersion);
        Check("git commit", a.GitCommit, b.GitCommit);
        Check("seed", a.Seed.ToString(Num.Inv), b.Seed.ToString(Num.Inv));
        Check("model", $"{a.Model.Name} ({a.Model.Architecture})", $"{b.Model.Name} ({b.Model.Architecture})");
        Check("model weights", a.Model.WeightsSha256 ?? a.Model.Weights, b.Model.WeightsSha256 ?? b.Model.Weights);
        Check("preprocessing", a.Model.Preprocessing, b.Model.Preprocessing);
        Check("dataset", $"{a.Dataset.Kind}: {a.Dataset.Source}", $"{b.Dataset.Kind}: {b.Dataset.Source}");
        Check("dataset selection", $"{a.Dataset.Selected} ({a.Dataset.Selection})", $"{b.Dataset.Selected} ({b.Dataset.Selection})");
        foreach (var m in a.Methods)
            if (b.Methods.FirstOrDefault(x => x.Id == m.Id) is { } n)
            {
                Check($"method {m.Id} version", $"{m.Name} v{m.Version}", $"{n.Name} v{n.Version}");
                Check($"method {m.Id} parameters", Params(m.Parameters), Params(n.Parameters));
                Check($"method {m.Id} target layer", m.TargetLayer, n.TargetLayer);
            }
        foreach (var m in a.Metrics)
            if (b.Metrics.FirstOrDefault(x => x.Id == m.Id) is { } n)
            {
                Check($"metric {m.Id} version", $"{m.Name} v{m.Version}", $"{n.Name} v{n.Version}");
                Check($"metric {m.Id} parameters", Params(m.Parameters), Params(n.Parameters));
                Check($"metric {m.Id} protocol", m.Protocol, n.Protocol);
            }
        if (a.ConfigHash != b.ConfigHash)
        {
            var keys = ConfigKeys(a.ResolvedConfig, b.ResolvedConfig);
            d.Add($"config hash: {Short(a.ConfigHash)} → {Short(b.ConfigHash)}" +
                  (keys.Count == 0 ? "" : $"; differing keys: {string.Join(", ", keys.Take(MaxConfigKeys))}" + (keys.Count > MaxConfigKeys ? $" and {keys.Count - MaxConfigKeys} more" : "")));
        }
        return d;
    }

    /// <summary>Paths (a.b[2].c) whose values differ, or that only one config has.</summary>
    public static List<string> ConfigKeys(JsonNode? a, JsonNode? b)
    {
        var fa = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var fb = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Flatten(a, "", fa);
        Flatten(b, "", fb);
        return fa.Keys.Union(fb.Keys).Where(k => !fa.TryGetValue(k, out var x) || !fb.TryGetValue(k, out var y) || x != y)
            .OrderBy(k => k, StringComparer.Ordinal).ToList();
    }

    private static void Flatten(JsonNode? node, string path, IDictionary<string, string> into)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o) Flatten(v, path.Length == 0 ? k : path + "." + k, into);
                break;
            case JsonArray arr:
                for (int i = 0; i < arr.Count; i++) Flatten(arr[i], $"{path}[{i}]", into);
                break;
            default:
                into[path.Length == 0 ? "(root)" : path] = node?.ToJsonString() ?? "null";
                break;
        }
    }

    private static string Params(IReadOnlyDictionary<string, string> p) =>
        string.Join(", ", p.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));

    private static string Short(string s) => s.Length <= 12 ? s : s[..12];
}
