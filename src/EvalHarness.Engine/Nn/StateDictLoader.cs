using System.Text;
using EvalHarness.Engine.Io;

namespace EvalHarness.Engine.Nn;

/// <summary>
/// Loads named tensors into a graph's state dict with torch.nn.Module.load_state_dict's rules: strict
/// by default, BatchNorm's num_batches_tracked ignored, shapes must match exactly. Everything is
/// checked before anything is loaded; a mismatch throws <see cref="StateDictMismatchException"/>
/// listing every missing, unexpected and mis-shaped key, with near-miss suggestions.
/// Values are copied into the graph's own parameter buffers, so a graph never shares storage with
/// the caller's tensors or with another graph.
/// </summary>
public static class StateDictLoader
{
    /// <summary>Keys ending with this are skipped (a training counter, not a value the forward pass uses).</summary>
    public const string IgnoredSuffix = "num_batches_tracked";

    public static StateDictLoadResult Load(Graph.Graph graph, IReadOnlyDictionary<string, Tensor> tensors,
        StateDictLoadOptions? options = null, string source = "the state dict")
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(tensors);
        var plan = Plan(graph, tensors.Select(kv => (kv.Key, kv.Value.ShapeArray)), options ?? StateDictLoadOptions.Default, source);
        var stateDict = graph.StateDict();
        foreach (var (given, model) in plan.Pairs)
        {
            tensors[given].Data.AsSpan().CopyTo(stateDict[model].Value.Data);
            stateDict[model].MarkChanged();
        }
        return plan.Result;
    }

    /// <summary>
    /// Loads a safetensors file: names and shapes are checked against the header first, then each
    /// tensor is streamed from the file straight into the parameter's buffer (no second copy in memory).
    /// </summary>
    public static StateDictLoadResult LoadFile(Graph.Graph graph, string path, StateDictLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        using var file = SafeTensorsFile.Open(path);
        var plan = Plan(graph, file.Entries.Select(e => (e.Name, e.ShapeArray)), options ?? StateDictLoadOptions.Default, path);
        foreach (var (given, _) in plan.Pairs)
        {
            var dtype = file.Entry(given).DType;
            if (!SafeTensorsFile.IsReadable(dtype))
                throw new FileFormatException(path, $"tensor '{given}' has dtype {dtype}, which cannot be read as float32.");
        }
        var stateDict = graph.StateDict();
        foreach (var (given, model) in plan.Pairs)
        {
            file.ReadInto(given, stateDict[model].Value.Data);
            stateDict[model].MarkChanged();
        }
        return plan.Result;
    }

    private sealed record LoadPlan(List<(string Given, string Model)> Pairs, StateDictLoadResult Result);

    private static LoadPlan Plan(Graph.Graph graph, IEnumerable<(string Key, int[] Shape)> given, StateDictLoadOptions options, string source)
    {
        var stateDict = graph.StateDict();
        string? prefix = string.IsNullOrEmpty(options.StripPrefix) ? null : options.StripPrefix;

        var byModelName = new Dictionary<string, (string Given, int[] Shape)>(StringComparer.Ordinal);
        var ignored = new List<string>();
        var unexpected = new List<string>();
        foreach (var (key, shape) in given)
        {
            string name = prefix != null && key.StartsWith(prefix, StringComparison.Ordinal) ? key[prefix.Length..] : key;
            if (byModelName.TryGetValue(name, out var other))
                throw new EvalHarnessException($"{source}: keys '{other.Given}' and '{key}' both become '{name}' after removing the prefix '{prefix}'.");
            byModelName[name] = (key, shape);
            if (!stateDict.ContainsKey(name))
            {
                if (name == IgnoredSuffix || name.EndsWith("." + IgnoredSuffix, StringComparison.Ordinal)) ignored.Add(name);
                else unexpected.Add(name);
            }
        }

        var pairs = new List<(string, string)>();
        var missing = new List<string>();
        var wrongShape = new List<(string, int[], int[])>();
        foreach (var (name, parameter) in stateDict)
        {
            if (!byModelName.TryGetValue(name, out var g))
            {
                missing.Add(name);
                continue;
            }
            if (!parameter.Value.Shape.SequenceEqual(g.Shape))
                wrongShape.Add((name, parameter.Value.ShapeArray, g.Shape));
            else
                pairs.Add((g.Given, name));
        }

        if (wrongShape.Count > 0 || (options.Strict && (missing.Count > 0 || unexpected.Count > 0)))
        {
            var message = Describe(source, stateDict.Keys.ToList(), missing, unexpected, wrongShape, options, prefix);
            throw new StateDictMismatchException(message,
                options.Strict ? missing : [], options.Strict ? unexpected : [], wrongShape);
        }
        var result = new StateDictLoadResult(pairs.Select(p => p.Item2).ToList(), missing, unexpected, ignored);
        return new LoadPlan(pairs, result);
    }

    private static string Describe(string source, List<string> modelKeys, List<string> missing, List<string> unexpected,
        List<(string Key, int[] Model, int[] Given)> wrongShape, StateDictLoadOptions options, string? prefix)
    {
        var counts = new List<string>();
        if (options.Strict && missing.Count > 0) counts.Add($"{missing.Count} missing");
        if (options.Strict && unexpected.Count > 0) counts.Add($"{unexpected.Count} unexpected");
        if (wrongShape.Count > 0) counts.Add($"{wrongShape.Count} with the wrong shape");
        var sb = new StringBuilder();
        sb.Append($"{source} does not fit the model ({modelKeys.Count} parameters and buffers, {(options.Strict ? "strict" : "non-strict")} load): ")
          .Append(string.Join(", ", counts)).Append('.');
        if (options.Strict && missing.Count > 0)
            sb.Append($"\n  Missing (the model has them, {source} does not): ").Append(string.Join(", ", missing));
        if (options.Strict && unexpected.Count > 0)
        {
            var candidates = missing.Count > 0 ? missing : modelKeys;
            sb.Append($"\n  Unexpected ({source} has them, the model does not): ");
            sb.Append(string.Join(", ", unexpected.Select(u =>
            {
                var near = NameMatcher.Nearest(u, candidates, 2);
                return near.Count == 0 ? u : $"{u} (did you mean {string.Join(" or ", near)}?)";
            })));
        }
        if (wrongShape.Count > 0)
            sb.Append("\n  Wrong shape: ").Append(string.Join(", ", wrongShape.Select(w =>
                $"{w.Key} (model {ShapeUtil.Format(w.Model)}, given {ShapeUtil.Format(w.Given)})")));
        if (options.Strict && unexpected.Count > 0)
        {
            var modelSet = modelKeys.ToHashSet(StringComparer.Ordinal);
            var hint = unexpected
                .Select(u => u.IndexOf('.') is int dot and > 0 ? (Prefix: u[..(dot + 1)], Tail: u[(dot + 1)..]) : (Prefix: "", Tail: u))
                .Where(x => x.Prefix.Length > 0 && modelSet.Contains(x.Tail))
                .GroupBy(x => x.Prefix)
                .OrderByDescending(g => g.Count())
                .FirstOrDefault();
            if (hint != null)
                sb.Append($"\n  Hint: {hint.Count()} unexpected key(s) match model keys once the prefix '{hint.Key}' is removed; " +
                          $"load with StripPrefix = \"{hint.Key}\".");
        }
        if (options.Strict && (missing.Count > 0 || unexpected.Count > 0) && wrongShape.Count == 0)
            sb.Append("\n  A non-strict load (Strict = false) skips missing and unexpected keys; shapes must match either way.");
        return sb.ToString();
    }
}
