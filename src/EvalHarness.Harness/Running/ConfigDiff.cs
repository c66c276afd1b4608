using System.Text.Json.Nodes;

namespace EvalHarness.Harness.Running;

/// <summary>The keys at which two resolved configs differ, as "path: old → new".</summary>
public static class ConfigDiff
{
    public static List<string> Differences(JsonObject before, JsonObject after)
    {
        var a = Flatten(before);
        var b = Flatten(after);
        var result = new List<string>();
        foreach (var key in a.Keys.Union(b.Keys).Distinct())
        {
            a.TryGetValue(key, out var x);
            b.TryGetValue(key, out var y);
            if (x != y) result.Add($"{key}: {x ?? "(absent)"} → {y ?? "(absent)"}");
        }
        return result;
    }

    private static Dictionary<string, string?> Flatten(JsonNode? node, string path = "", Dictionary<string, string?>? into = null)
    {
        into ??= new Dictionary<string, string?>(StringComparer.Ordinal);
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o) Flatten(v, path.Length == 0 ? k : $"{path}.{k}", into);
                break;
            case JsonArray arr:
                for (int i = 0; i < arr.Count; i++) Flatten(arr[i], $"{path}[{i}]", into);
                if (arr.Count == 0) into[path] = "[]";
                break;
            case null:
                into[path] = null;
                break;
            default:
                into[path] = node.ToJsonString();
                break;
        }
        return into;
    }
}
