using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Harness.Datasets;
using EvalHarness.Harness.Methods;
using EvalHarness.Metrics;
using EvalHarness.Models;
using EvalHarness.Models.Config;
using EvalHarness.Saliency;

namespace EvalHarness.Harness.Config;

/// <summary>
/// Reads a run config into a <see cref="RunPlan"/>, validating everything that can be checked before
/// the first forward pass. Schema:
/// <code>
/// name: squeezenet-all              # optional; default the file name; letters, digits, . _ -
/// include: base.yaml                # optional; a file or a list, merged under this one
/// seed: 0
/// model: models/squeezenet.yaml     # a model config file, or an inline model config mapping
/// dataset:                          # kind + the kind's fields (see 'evalharness list datasets')
///   kind: imagenet-loc
///   root: ${IMAGENET:-../datasets/imagenet}
/// limit: 200                        # shorthand for subset.limit
/// subset: {limit: 200, mode: first} # mode: first | random (seeded, kept in dataset order)
/// target: predicted                 # predicted | label
/// batch_size: 16
/// methods:                          # a name, or a mapping
///   - gradcam
///   - {name: scorecam, id: scorecam-official, layer: features.12, params: {variant: official}}
///   - {assembly: ../plugins/Mine.dll, type: MyLab.MyMethod, id: mine, params: {...}}
/// metrics:
///   - deletion
///   - {name: pointing-game, id: pg, params: {tolerance: 15}}
/// outputs: {gallery: 8, report: true}
/// </code>
/// </summary>
internal static class RunConfigReader
{
    public const int DefaultBatchSize = 16;
    public const int DefaultGallery = 8;

    private static readonly string[] TopKeys =
        ["name", "seed", "model", "dataset", "limit", "subset", "target", "batch_size", "methods", "metrics", "outputs"];
    private static readonly string[] SubsetKeys = ["limit", "mode"];
    private static readonly string[] MethodKeys = ["name", "id", "layer", "params", "assembly", "type"];
    private static readonly string[] MetricKeys = ["name", "id", "params"];
    private static readonly string[] OutputKeys = ["gallery", "report"];
    private static readonly Regex NamePattern = new("^[A-Za-z0-9][A-Za-z0-9._-]*$", RegexOptions.CultureInvariant);

    public static RunPlan Read(string path, PlanOverrides overrides)
    {
        var root = ConfigDocument.Load(path);
        return Read(root, path, overrides);
    }

    public static RunPlan Read(ConfigMap root, string path, PlanOverrides overrides)
    {
        var f = ConfigValues.Fields(root, null, TopKeys);
        ConfigException Missing(string key, string problem) => new(root.Location with { Line = 0, Column = 0 }, key, problem);

        string name = Path.GetFileNameWithoutExtension(path);
        if (f.TryGetValue("name", out var nameEntry)) name = ConfigValues.Text(nameEntry.Value, "name");
        if (!NamePattern.IsMatch(name))
            throw new ConfigException(nameEntry?.Value.Location ?? root.Location, "name",
                $"'{name}' cannot name a results folder; use letters, digits, '.', '_' and '-' (starting with a letter or digit).");
        ulong seed = f.TryGetValue("seed", out var seedEntry) ? ConfigValues.Seed(seedEntry.Value, "seed") : 0;

        // model
        if (!f.TryGetValue("model", out var modelEntry))
            throw Missing("model", "missing; give a model config file (model: models/resnet50.yaml) or an inline mapping (architecture: ..., preprocessing: ...).");
        var model = ReadModel(modelEntry.Value);
        var graph = ModelZoo.Create(model.Architecture, model.NumClasses);

        // dataset
        if (!f.TryGetValue("dataset", out var dsEntry))
            throw Missing("dataset", $"missing; give a mapping with 'kind' ({string.Join(", ", DatasetCatalog.Names)}) and the kind's fields.");
        var dataset = ReadDataset(dsEntry.Value);

        // subset
        int? limit = null;
        var mode = SubsetMode.First;
        if (f.TryGetValue("subset", out var subsetEntry))
        {
            var sf = ConfigValues.Fields(ConfigValues.Map(subsetEntry.Value, "subset", "limit: 200, mode: first"), "subset", SubsetKeys);
            if (sf.TryGetValue("limit", out var l)) limit = ConfigValues.Integer(l.Value, "subset.limit", 1, int.MaxValue, "a positive number of images");
            if (sf.TryGetValue("mode", out var m))
                mode = ConfigValues.Choice(m.Value, "subset.mode", "first", "random") == "first" ? SubsetMode.First : SubsetMode.Random;
        }
        if (f.TryGetValue("limit", out var limitEntry))
        {
            if (limit is not null)
                throw new ConfigException(limitEntry.KeyLocation, "limit", "is given both here and as subset.limit; keep one.");
            limit = ConfigValues.Integer(limitEntry.Value, "limit", 1, int.MaxValue, "a positive number of images");
        }
        if (overrides.Limit is int ol)
        {
            if (ol < 1) throw new EvalHarnessException($"--limit must be at least 1, not {ol}.");
            limit = ol;
        }

        var target = TargetMode.Predicted;
        if (f.TryGetValue("target", out var targetEntry))
            target = ConfigValues.Choice(targetEntry.Value, "target", "predicted", "label") == "label" ? TargetMode.Label : TargetMode.Predicted;
        int batch = f.TryGetValue("batch_size", out var batchEntry)
            ? ConfigValues.Integer(batchEntry.Value, "batch_size", 1, 4096, "a batch size from 1 to 4096") : DefaultBatchSize;

        // methods and metrics
        if (!f.TryGetValue("methods", out var methodsEntry))
            throw Missing("methods", $"missing; list at least one method (e.g. methods: [gradcam]). Valid methods: {string.Join(", ", SaliencyCatalog.Names)}.");
        var methods = ReadMethods(methodsEntry.Value, graph, model);
        var metrics = f.TryGetValue("metrics", out var metricsEntry) ? ReadMetrics(metricsEntry.Value) : [];

        int gallery = DefaultGallery;
        bool report = true;
        if (f.TryGetValue("outputs", out var outEntry))
        {
            var of = ConfigValues.Fields(ConfigValues.Map(outEntry.Value, "outputs", "gallery: 8, report: true"), "outputs", OutputKeys);
            if (of.TryGetValue("gallery", out var g)) gallery = ConfigValues.Integer(g.Value, "outputs.gallery", 0, 10_000, "a number of images from 0 to 10000");
            if (of.TryGetValue("report", out var r)) report = ConfigValues.Boolean(r.Value, "outputs.report");
        }

        var resolved = Resolved(name, seed, model, dataset, limit, mode, target, batch, methods, metrics, gallery, report);
        return new RunPlan
        {
            ConfigPath = Path.GetFullPath(path),
            Name = name,
            Seed = seed,
            Model = model,
            Dataset = dataset,
            Limit = limit,
            SubsetMode = mode,
            Target = target,
            BatchSize = batch,
            Methods = methods,
            Metrics = metrics,
            Gallery = gallery,
            Report = report,
            ResolvedConfig = resolved,
            ConfigHash = RunPlan.Hash(resolved),
        };
    }

    private static ModelConfig ReadModel(ConfigNode node)
    {
        if (node is ConfigMap map) return InlineModel.Read(map, "model");
        string file = ConfigValues.Text(node, "model");
        string full = Path.GetFullPath(Path.Combine(node.Location.Directory, file));
        if (!File.Exists(full))
            throw new ConfigException(node.Location, "model", $"the model config {full} does not exist" +
                (full != file ? $" (from '{file}', relative to the config's folder)" : "") + "; give a model config file or an inline mapping (architecture: ..., preprocessing: ...).");
        return ModelConfig.Load(full);
    }

    private static DatasetSpec ReadDataset(ConfigNode node)
    {
        var map = ConfigValues.Map(node, "dataset", "kind: folder, ...");
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var locations = new Dictionary<string, string>(StringComparer.Ordinal);
        string? kind = null;
        foreach (var e in map.Entries)
        {
            if (e.Value is ConfigScalar { IsNull: true }) continue;
            string value = ConfigValues.Text(e.Value, $"dataset.{e.Key}");
            if (e.Key == "kind")
            {
                kind = DatasetCatalog.Names.FirstOrDefault(k => k.Equals(value, StringComparison.OrdinalIgnoreCase))
                    ?? throw new ConfigException(e.Value.Location, "dataset.kind", NameMatcher.UnknownMessage("dataset kind", value, DatasetCatalog.Names.ToList()));
                continue;
            }
            fields[e.Key] = value;
            locations[e.Key] = e.Value.Location.ToString();
        }
        if (kind is null)
            throw new ConfigException(map.Location, "dataset.kind", $"missing; valid kinds: {string.Join(", ", DatasetCatalog.Names)}.");
        return new DatasetSpec(kind, fields, map.Location.Directory, locations);
    }

    private static List<ConfigNode> Items(ConfigNode node, string field, string example) => node switch
    {
        ConfigList l => l.Items.ToList(),
        ConfigScalar { IsNull: false } s => [s],
        _ => throw new ConfigException(node.Location, field, $"expected a list ({example}), not {node.Describe()}."),
    };

    private static List<MethodPlan> ReadMethods(ConfigNode node, Graph graph, ModelConfig model)
    {
        var result = new List<MethodPlan>();
        var idAt = new Dictionary<string, ConfigLocation>(StringComparer.OrdinalIgnoreCase);
        var items = Items(node, "methods", "- gradcam");
        if (items.Count == 0)
            throw new ConfigException(node.Location, "methods", $"is empty; list at least one method. Valid methods: {string.Join(", ", SaliencyCatalog.Names)}.");
        for (int i = 0; i < items.Count; i++)
        {
            string field = $"methods[{i}]";
            var item = items[i];
            ConfigNode nameNode = item;
            ConfigNode? idNode = null, layerNode = null, paramsNode = null, assemblyNode = null, typeNode = null;
            if (item is ConfigMap entryMap)
            {
                var mf = ConfigValues.Fields(entryMap, field, MethodKeys);
                nameNode = mf.GetValueOrDefault("name")?.Value!;
                idNode = mf.GetValueOrDefault("id")?.Value;
                layerNode = mf.GetValueOrDefault("layer")?.Value;
                paramsNode = mf.GetValueOrDefault("params")?.Value;
                assemblyNode = mf.GetValueOrDefault("assembly")?.Value;
                typeNode = mf.GetValueOrDefault("type")?.Value;
                if (assemblyNode is null && nameNode is null)
                    throw new ConfigException(entryMap.Location, $"{field}.name", $"missing; valid methods: {string.Join(", ", SaliencyCatalog.Names)} (or assembly: + type: for a .NET method).");
                if (assemblyNode is not null && nameNode is not null)
                    throw new ConfigException(nameNode.Location, $"{field}.name", "a .NET method (assembly:) is named by its descriptor; remove name, or give an id.");
                if (typeNode is not null && assemblyNode is null)
                    throw new ConfigException(typeNode.Location, $"{field}.type", "only applies with assembly: (the .NET assembly that holds the type).");
            }
            IReadOnlyDictionary<string, string> parameters = paramsNode is null ? new Dictionary<string, string>() : ConfigValues.Parameters(paramsNode, $"{field}.params");

            MethodPlan plan;
            if (assemblyNode is not null)
            {
                string file = Path.GetFullPath(Path.Combine(assemblyNode.Location.Directory, ConfigValues.Text(assemblyNode, $"{field}.assembly")));
                if (!File.Exists(file))
                    throw new ConfigException(assemblyNode.Location, $"{field}.assembly", $"the assembly {file} does not exist (paths are relative to the config's folder).");
                if (typeNode is null)
                    throw new ConfigException(item.Location, $"{field}.type", "missing; give the full name of a public class in the assembly that implements ISaliencyMethod.");
                string type = ConfigValues.Text(typeNode, $"{field}.type");
                ISaliencyMethod Make() => AssemblyMethod.Load(file, type, parameters);
                ISaliencyMethod probe;
                try
                {
                    probe = Make();
                }
                catch (EvalHarnessException e)
                {
                    throw new ConfigException(typeNode.Location, $"{field}.type", e.Message);
                }
                plan = new MethodPlan("", probe.Descriptor, parameters, null, Make, file, type, PlanText.Sha256File(file));
            }
            else
            {
                string name = ConfigValues.Text(nameNode ??= item, item is not ConfigMap ? field : $"{field}.name");
                bool precomputed = name.Equals(PrecomputedMaps.Name, StringComparison.OrdinalIgnoreCase);
                if (precomputed && parameters.TryGetValue("folder", out var folder))
                    parameters = new Dictionary<string, string>(parameters) { ["folder"] = Path.GetFullPath(Path.Combine(item.Location.Directory, folder)) }; // relative to the config
                ISaliencyMethod probe;
                try
                {
                    probe = precomputed ? new PrecomputedMaps(parameters) : SaliencyCatalog.Create(name, parameters);
                }
                catch (UnknownNameException) when (!SaliencyCatalog.Names.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    throw new ConfigException(nameNode.Location, item is not ConfigMap ? field : $"{field}.name",
                        NameMatcher.UnknownMessage("method", name, [.. SaliencyCatalog.Names, PrecomputedMaps.Name]) + " (or assembly: + type: for a .NET method)");
                }
                catch (EvalHarnessException e)
                {
                    throw new ConfigException((paramsNode ?? nameNode).Location, $"{field}.params", e.Message);
                }
                string canonical = probe.Descriptor.Name; // registered names and "<method>+ge" alike
                plan = precomputed
                    ? new MethodPlan("", probe.Descriptor, parameters, null, () => new PrecomputedMaps(parameters))
                    : new MethodPlan("", probe.Descriptor, parameters, null, () => SaliencyCatalog.Create(canonical, parameters));
            }

            string? layer = null;
            if (layerNode is not null)
            {
                layer = ConfigValues.Text(layerNode, $"{field}.layer");
                if (!plan.Descriptor.NeedsTargetLayer)
                    throw new ConfigException(layerNode.Location, $"{field}.layer", $"method '{plan.Descriptor.Name}' reads no layer's activations; remove layer.");
                if (!graph.Contains(layer))
                    throw new ConfigException(layerNode.Location, $"{field}.layer", NameMatcher.UnknownMessage("layer", layer, graph.ModuleNames));
            }
            else if (plan.Descriptor.NeedsTargetLayer)
            {
                layer = model.ResolvedTargetLayer;
            }

            if (plan.Create() is IChecksModel check)
            {
                try
                {
                    check.CheckModel(graph, layer);
                }
                catch (EvalHarnessException e)
                {
                    throw new ConfigException((layerNode ?? nameNode ?? item).Location, layerNode is null ? field : $"{field}.layer", e.Message);
                }
            }

            string id = idNode is null ? plan.Descriptor.Name : ConfigValues.Text(idNode, $"{field}.id");
            var idLocation = idNode?.Location ?? nameNode?.Location ?? item.Location;
            CheckId(id, idLocation, $"{field}.id", idAt, "method");
            result.Add(plan with { Id = id, Layer = layer });
        }
        return result;
    }

    private static List<MetricPlan> ReadMetrics(ConfigNode node)
    {
        var result = new List<MetricPlan>();
        var idAt = new Dictionary<string, ConfigLocation>(StringComparer.OrdinalIgnoreCase);
        var items = Items(node, "metrics", "- deletion");
        for (int i = 0; i < items.Count; i++)
        {
            string field = $"metrics[{i}]";
            var item = items[i];
            ConfigNode? nameNode = item, idNode = null, paramsNode = null;
            string nameField = field;
            if (item is ConfigMap map)
            {
                var mf = ConfigValues.Fields(map, field, MetricKeys);
                nameNode = mf.GetValueOrDefault("name")?.Value
                    ?? throw new ConfigException(map.Location, $"{field}.name", $"missing; valid metrics: {string.Join(", ", MetricCatalog.Names)}.");
                idNode = mf.GetValueOrDefault("id")?.Value;
                paramsNode = mf.GetValueOrDefault("params")?.Value;
                nameField = $"{field}.name";
            }
            string name = ConfigValues.Text(nameNode, nameField);
            var parameters = paramsNode is null ? new Dictionary<string, string>() : ConfigValues.Parameters(paramsNode, $"{field}.params");
            IMetric probe;
            try
            {
                probe = MetricCatalog.Create(name, parameters);
            }
            catch (UnknownNameException e) when (!MetricCatalog.Names.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw new ConfigException(nameNode.Location, nameField, e.Message);
            }
            catch (EvalHarnessException e)
            {
                throw new ConfigException((paramsNode ?? nameNode).Location, $"{field}.params", e.Message);
            }
            string canonical = MetricCatalog.Names.First(n => n.Equals(name, StringComparison.OrdinalIgnoreCase));
            string id = idNode is null ? probe.Descriptor.Name : ConfigValues.Text(idNode, $"{field}.id");
            CheckId(id, idNode?.Location ?? nameNode.Location, $"{field}.id", idAt, "metric");
            result.Add(new MetricPlan(id, probe.Descriptor, parameters, () => MetricCatalog.Create(canonical, parameters)));
        }
        return result;
    }

    private static void CheckId(string id, ConfigLocation at, string field, Dictionary<string, ConfigLocation> seen, string what)
    {
        if (!id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+'))
            throw new ConfigException(at, field, $"'{id}' is not a valid {what} id; use letters, digits, '.', '_', '-' and '+'.");
        if (seen.TryGetValue(id, out var first))
            throw new ConfigException(at, field, $"duplicate {what} id '{id}' (first used at {first}); give each {what} entry its own id: (ids are case-insensitive).");
        seen[id] = at;
    }

    private static JsonObject Resolved(
        string name, ulong seed, ModelConfig model, DatasetSpec dataset, int? limit, SubsetMode mode, TargetMode target, int batch,
        List<MethodPlan> methods, List<MetricPlan> metrics, int gallery, bool report)
    {
        var inv = CultureInfo.InvariantCulture;
        static JsonObject Params(IReadOnlyDictionary<string, string> p)
        {
            var o = new JsonObject();
            foreach (var (k, v) in p.OrderBy(x => x.Key.ToLowerInvariant(), StringComparer.Ordinal)) o[k.ToLowerInvariant()] = v;
            return o;
        }
        var ds = new JsonObject { ["kind"] = dataset.Kind, ["base_directory"] = dataset.BaseDirectory };
        foreach (var (k, v) in dataset.Fields.OrderBy(x => x.Key, StringComparer.Ordinal)) ds[k] = v;
        return new JsonObject
        {
            ["name"] = name,
            ["seed"] = seed.ToString(inv),
            ["model"] = new JsonObject
            {
                ["name"] = model.Name,
                ["architecture"] = model.Architecture,
                ["weights"] = model.Weights,
                ["init_seed"] = model.Weights is null ? model.InitSeed.ToString(inv) : null,
                ["strip_prefix"] = model.StripPrefix,
                ["num_classes"] = model.NumClasses,
                ["labels"] = model.Labels,
                ["preprocessing"] = model.Preprocessing.ToString(),
                ["target_layer"] = model.ResolvedTargetLayer,
            },
            ["dataset"] = ds,
            ["subset"] = new JsonObject { ["limit"] = limit, ["mode"] = mode.ToString().ToLowerInvariant() },
            ["target"] = target.ToString().ToLowerInvariant(),
            ["batch_size"] = batch,
            ["methods"] = new JsonArray(methods.Select(m => (JsonNode)new JsonObject
            {
                ["id"] = m.Id,
                ["name"] = m.Descriptor.Name,
                ["version"] = m.Descriptor.Version,
                ["layer"] = m.Layer,
                ["params"] = Params(m.Parameters),
                ["assembly"] = m.Assembly,
                ["type"] = m.TypeName,
                ["assembly_sha256"] = m.AssemblySha256,
            }).ToArray()),
            ["metrics"] = new JsonArray(metrics.Select(m => (JsonNode)new JsonObject
            {
                ["id"] = m.Id,
                ["name"] = m.Descriptor.Name,
                ["version"] = m.Descriptor.Version,
                ["params"] = Params(m.Parameters),
            }).ToArray()),
            ["outputs"] = new JsonObject { ["gallery"] = gallery, ["report"] = report },
        };
    }
}
