using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Harness.Datasets;
using EvalHarness.Harness.Methods;
using EvalHarness.Metrics;
using EvalHarness.Models;
using EvalHarness.Reports.Results;
using EvalHarness.Saliency;

namespace EvalHarness.Harness.Running;

/// <summary>
/// Runs a <see cref="RunPlan"/>: for each batch of the selected images, preprocess, predict, and for
/// each method explain and for each metric evaluate; every image × method is committed to the
/// <see cref="ResultStore"/> as soon as it is done, and work already in the store is not repeated (a
/// batch with anything missing is recomputed whole, so that results do not depend on where a run was
/// interrupted). At the end the tables, run.json and the gallery are written from the store alone.
/// </summary>
public static class Runner
{
    public static RunResults Run(RunPlan plan, RunOptions options, IRunProgress? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        progress ??= NoProgress.Instance;
        var started = DateTimeOffset.UtcNow;
        var total = Stopwatch.StartNew();
        string dir = Path.GetFullPath(options.Directory);

        // Everything that can be checked is checked before the results folder is touched.
        var dataset = options.Dataset ?? DatasetCatalog.Create(plan.Dataset);
        var whole = Subset.Select(dataset.Items, plan.Limit, plan.SubsetModeName, plan.Seed);
        if (whole.Count == 0) throw new EvalHarnessException($"The dataset ({dataset.Source}) has no images to run.");
        // A shard runs its part of the whole selection; image_index stays the position in the whole selection.
        var indices = Enumerable.Range(0, whole.Count).Where(i => options.Shard?.Contains(whole[i].Id) ?? true).ToList();
        var selected = indices.Select(i => whole[i]).ToList();
        var methods = plan.Methods.Select(m => m.Create()).ToArray();
        var selectedIds = selected.Select(s => s.Id).ToList();
        foreach (var precomputed in methods.OfType<PrecomputedMaps>()) precomputed.CheckAvailable(selectedIds);
        var metrics = plan.Metrics.Select(m => m.Create()).ToArray();
        PrepareFolder(dir, options.Resume);

        using var store = ResultStore.Open(Path.Combine(dir, ResultStore.FileName));
        CheckConfig(store, plan, options.Extend, dir);
        CheckShard(store, options.Shard, dir);
        started = FirstStart(store, started);
        try
        {
            return Execute(plan, options, progress, cancellation, dir, dataset, whole, indices, selected, methods, metrics, store, started, total);
        }
        catch (Exception e) when (e is (EvalHarnessException or IOException or UnauthorizedAccessException) and not RunFailedException)
        {
            throw new RunFailedException(e.Message, dir, ResumeCommand(plan, dir, options.Shard), e);
        }
    }

    /// <summary>The command that continues a run in <paramref name="dir"/>.</summary>
    public static string ResumeCommand(RunPlan plan, string dir, ShardSpec? shard) =>
        $"evalharness run {plan.ConfigPath} --out {dir} --resume" + (shard is null ? "" : $" --shard {shard}");

    private static RunResults Execute(
        RunPlan plan, RunOptions options, IRunProgress progress, CancellationToken cancellation, string dir, IDataset dataset,
        IReadOnlyList<DatasetItem> whole, List<int> indices, List<DatasetItem> selected, ISaliencyMethod[] methods, IMetric[] metrics,
        ResultStore store, DateTimeOffset started, Stopwatch total)
    {
        progress.Info(options.Resume ? $"resuming {dir}" : $"results: {dir}");

        var clock = Stopwatch.StartNew();
        var model = ModelLoader.Load(plan.Model);
        string? weightsSha = plan.Model.Weights is string w ? PlanText.Sha256File(w) : null;
        var timings = new Timings();
        timings.Add("model", "load", clock.Elapsed.TotalSeconds, 0);
        var keys = new RunKeys(plan, weightsSha);

        var info = Info(plan, model, weightsSha, dataset, whole, started, null, timings, [], new Dictionary<string, string>()) with { Shard = Shard(options) };
        ResultsFolder.WriteInfo(dir, info);

        progress.Start(dir, plan.Methods.Select(m => m.Id).ToList(), selected.Count);
        int clipped = 0, dropped = 0;
        for (int start = 0; start < selected.Count; start += plan.BatchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            var batch = selected.Skip(start).Take(plan.BatchSize).ToList();
            // run.json carries the timings so far after every method of every batch, for watching a long run and for cost models.
            void Flush() => ResultsFolder.WriteInfo(dir, info with { Timings = timings.ToList() });
            var (c, d) = RunBatch(plan, dataset, model, keys, methods, metrics, store, batch, timings, progress, Flush, cancellation);
            clipped += c;
            dropped += d;
        }

        var notes = new List<string>();
        if (!model.Pretrained) notes.Add($"The model has no weights file: {model.Config.WeightsDescription}.");
        if (clipped + dropped > 0)
            notes.Add($"The preprocessing crop clipped {clipped} box(es) and dropped {dropped} box(es) entirely outside the input (counted in the images computed in this session).");
        if (options.Shard is { } shard) notes.Add($"Shard {shard}: {selected.Count} of the {whole.Count} selected images (by SHA-256 of the image id); 'evalharness merge' joins the shards.");
        if (options.Resume) notes.Add(options.Extend ? "Extended: timings cover the last session only (stored maps were reused)." : "Resumed: timings cover the last session only.");

        var tables = ResultTablesBuilder.Build(plan, keys, store, selected, indices);
        notes.AddRange(RunNotes.NeverDefined(tables.Summary, tables.PerImage));
        var gallery = Gallery.Write(dir, plan, model, dataset, selected, keys, store, indices);
        timings.Add("run", "total", total.Elapsed.TotalSeconds, selected.Count);
        info = Info(plan, model, weightsSha, dataset, whole, started, DateTimeOffset.UtcNow, timings, notes, tables.Protocols) with { Shard = Shard(options) };
        var results = new RunResults { Info = info, PerImage = tables.PerImage, Summary = tables.Summary, Curves = tables.Curves, Gallery = gallery, Shap = tables.Shap };
        ResultsFolder.Write(dir, results);
        if (options.HistoryPath is { } history)
        {
            using var h = new EvalHarness.Reports.History.HistoryStore(history);
            h.Append(results, dir);
            progress.Info($"history: appended to {history}");
        }
        if (options.Reports && plan.Report)
        {
            EvalHarness.Reports.ReportWriter.WriteAll(dir); // summary.md, plots/, maps/, report.html
        }
        progress.Info($"wrote {Path.Combine(dir, ResultsFolder.PerImageCsv)} ({tables.PerImage.Count} rows), {ResultsFolder.SummaryCsv}, {ResultsFolder.CurvesCsv}, {ResultsFolder.RunJson}");
        return results;
    }

    /// <summary>One batch: everything the store lacks is computed and committed per image × method.</summary>
    private static (int Clipped, int Dropped) RunBatch(
        RunPlan plan, IDataset dataset, LoadedModel model, RunKeys keys, ISaliencyMethod[] methods, IMetric[] metrics,
        ResultStore store, List<DatasetItem> batch, Timings timings, IRunProgress progress, Action flush, CancellationToken cancellation)
    {
        int n = batch.Count;
        var imageKeys = batch.Select(keys.Image).ToArray();
        var mapKeys = new string[methods.Length][];
        var evalKeys = new string[methods.Length][][];
        for (int m = 0; m < methods.Length; m++)
        {
            mapKeys[m] = imageKeys.Select(k => keys.Map(k, m)).ToArray();
            evalKeys[m] = mapKeys[m].Select(mk => Enumerable.Range(0, metrics.Length).Select(k => keys.Evaluation(mk, k)).ToArray()).ToArray();
        }
        var haveMaps = store.Existing("maps", mapKeys.SelectMany(x => x));
        var haveEvals = store.Existing("evaluations", evalKeys.SelectMany(x => x.SelectMany(y => y)));
        var work = Enumerable.Range(0, methods.Length)
            .Where(m => mapKeys[m].Any(k => !haveMaps.Contains(k)) || evalKeys[m].Any(e => e.Any(k => !haveEvals.Contains(k))))
            .ToList();
        foreach (int m in Enumerable.Range(0, methods.Length).Except(work)) progress.Advance(plan.Methods[m].Id, n, fromStore: true);
        if (work.Count == 0) return (0, 0);

        // Inputs, predictions, annotations.
        var clock = Stopwatch.StartNew();
        var images = batch.Select(dataset.Load).ToList();
        var prepared = model.Preprocessing.ApplyBatch(images);
        var x = prepared.Tensor;
        var logits = model.Logits(x);
        logits.EnsureFinite($"The logits of images {batch[0].Id} … {batch[^1].Id}");
        var targets = new int[n];
        var stored = new StoredImage[n];
        for (int i = 0; i < n; i++)
        {
            var p = Softmax(logits.Sample(i));
            int predicted = ArgMax(p);
            int label = batch[i].Label;
            int target = predicted;
            if (plan.Target == TargetMode.Label)
            {
                if (label < 0 || label >= model.NumClasses)
                    throw new EvalHarnessException($"Image {batch[i].Id} has label {label}, which is not a class of {model.Config.Name} (0 to {model.NumClasses - 1}); " +
                        "'target: label' needs every image labelled. Use 'target: predicted' or fix the labels.");
                target = label;
            }
            targets[i] = target;
            stored[i] = new StoredImage(batch[i].Id, label, target, predicted, p[target]);
        }
        var annotations = batch.Select((item, i) => Annotations.ToInputFrame(item, prepared.Transforms[i])).ToList();
        var boxes = annotations.Select(a => a.Boxes).ToList();
        // An image without masks (a dataset of boxes) has no mask of its target class: mask metrics are not defined for it, as box metrics are for an image without boxes.
        var masks = annotations.Select(a => a.Masks ?? []).ToList();
        timings.Add("model", "forward", clock.Elapsed.TotalSeconds, n);
        var ids = batch.Select(b => b.Id).ToList();

        foreach (int m in work)
        {
            var mp = plan.Methods[m];
            SaliencyResult result;
            bool mapsStored = mapKeys[m].All(haveMaps.Contains);
            if (mapsStored)
            {
                result = MapBlob.Decode(mapKeys[m].Select(k => store.GetMap(k)!).ToList());
            }
            else
            {
                clock.Restart();
                var context = new ExplainContext
                {
                    Graph = model.Graph, TargetLayer = mp.Layer, Seed = plan.SeedFor("method", mp.Descriptor.Name), BatchSize = plan.BatchSize, ImageIds = ids,
                };
                try
                {
                    result = methods[m].Explain(context, x, targets);
                }
                catch (Exception e) when (mp.Assembly is not null && e is not (EvalHarnessException or OperationCanceledException))
                {
                    // A user's .NET method failing is a problem of that method, not an internal error.
                    throw new EvalHarnessException($"method '{mp.Id}' ({mp.TypeName} in {mp.Assembly}) failed on images {ids[0]} … {ids[^1]}: " +
                        $"{e.GetType().Name}: {e.Message.TrimEnd('.')} (EVALHARNESS_DEBUG=1 prints its stack trace)", e);
                }
                timings.Add("method", mp.Id, clock.Elapsed.TotalSeconds, n);
                var maps = result.Maps;
                if (maps.Rank != 3 || maps.Dim(0) != n || maps.Dim(1) != x.H || maps.Dim(2) != x.W)
                    throw new EvalHarnessException($"Method '{mp.Id}' returned maps {maps.ShapeString}; expected [{n}, {x.H}, {x.W}] (one map per image at the input resolution).");
            }

            var perImage = new List<NewEvaluation>[n];
            for (int i = 0; i < n; i++) perImage[i] = [];
            for (int k = 0; k < metrics.Length; k++)
            {
                if (Enumerable.Range(0, n).All(i => haveEvals.Contains(evalKeys[m][i][k]))) continue;
                clock.Restart();
                var mc = new MetricContext
                {
                    Graph = model.Graph, Images = x, Targets = targets, Maps = result.Maps, Boxes = boxes, Masks = masks, Saliency = result,
                    Method = methods[m], TargetLayer = mp.Layer, Preprocessing = model.Preprocessing,
                    Seed = plan.SeedFor("metric", plan.Metrics[k].Descriptor.Name), BatchSize = plan.BatchSize,
                };
                var r = metrics[k].Evaluate(mc);
                timings.Add("metric", plan.Metrics[k].Id, clock.Elapsed.TotalSeconds, n);
                for (int i = 0; i < n; i++)
                {
                    if (haveEvals.Contains(evalKeys[m][i][k])) continue;
                    var records = r.Records.Where(rec => rec.ImageIndex == i).Select(rec => new StoredRecord(rec.ValueName, rec.Value, rec.NotDefinedReason)).ToList();
                    var curves = r.Curves.Where(c => c.ImageIndex == i).ToList();
                    perImage[i].Add(new NewEvaluation(evalKeys[m][i][k], plan.Metrics[k].Id, r.Protocol, records, curves.Count == 0 ? null : MapBlob.EncodeCurves(curves)));
                }
            }
            for (int i = 0; i < n; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                byte[]? blob = haveMaps.Contains(mapKeys[m][i]) ? null : MapBlob.Encode(result, i);
                if (blob is null && perImage[i].Count == 0) continue;
                store.Commit(imageKeys[i], stored[i], mapKeys[m][i], mp.Id, blob, perImage[i]);
            }
            flush();
            progress.Advance(mp.Id, n, fromStore: false);
        }
        return (annotations.Sum(a => a.Clipped), annotations.Sum(a => a.Dropped));
    }

    private static void PrepareFolder(string dir, bool resume)
    {
        string storePath = Path.Combine(dir, ResultStore.FileName);
        if (resume)
        {
            if (!File.Exists(storePath))
                throw new EvalHarnessException($"--resume: {dir} holds no run to continue (no {ResultStore.FileName}); start a new run without --resume.");
        }
        else if (File.Exists(storePath))
        {
            throw new EvalHarnessException($"{dir} already holds a run ({ResultStore.FileName}); continue it with --resume, or give another --out.");
        }
        try
        {
            Directory.CreateDirectory(dir);
            string probe = Path.Combine(dir, ".write-test");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EvalHarnessException($"the results folder {dir} is not writable ({e.Message.TrimEnd('.')}); give another --out or fix its permissions.");
        }
    }

    private static ShardInfo? Shard(RunOptions options) => options.Shard is { } s ? new ShardInfo(s.Index, s.Count) : null;

    private static void CheckShard(ResultStore store, ShardSpec? shard, string dir)
    {
        string now = shard?.ToString() ?? "none";
        string? before = store.GetMeta("shard");
        if (before is null) store.SetMeta("shard", now);
        else if (before != now)
            throw new EvalHarnessException($"--resume refused: {dir} holds shard {before}, not {now}; resume each shard in its own folder with its own --shard.");
    }

    /// <summary>Metrics and outputs may change under <see cref="RunOptions.Extend"/>: neither enters the keys of the stored maps.</summary>
    private static readonly string[] ExtendableKeys = ["metrics", "outputs"];

    private static void CheckConfig(ResultStore store, RunPlan plan, bool extend, string dir)
    {
        string canonical = plan.ResolvedConfig.ToJsonString();
        string? hash = store.GetMeta("config_hash");
        if (hash is null || hash == plan.ConfigHash)
        {
            store.SetMeta("resolved_config", canonical);
            store.SetMeta("config_hash", plan.ConfigHash);
            return;
        }
        var old = JsonNode.Parse(store.GetMeta("resolved_config") ?? "{}") as JsonObject ?? [];
        var diff = ConfigDiff.Differences(old, plan.ResolvedConfig);
        static string Top(string d) => d.Split('.', '[', ':')[0];
        var fixedKeys = diff.Where(d => !ExtendableKeys.Contains(Top(d))).ToList();
        if (extend && fixedKeys.Count == 0)
        {
            store.SetMeta("resolved_config", canonical);
            store.SetMeta("config_hash", plan.ConfigHash);
            return;
        }
        var shown = extend ? fixedKeys : diff;
        throw new EvalHarnessException($"--resume refused: the config differs from the one {dir} was run with " +
            $"(hash {hash[..12]} there, {plan.ConfigHash[..12]} now); differing keys: {string.Join("; ", shown.Take(12))}" +
            (shown.Count > 12 ? $"; … {shown.Count} in all" : "") +
            (extend ? ". --extend accepts changes to metrics and outputs only; run it into a new folder instead."
                : fixedKeys.Count == 0 ? ". Only metrics or outputs changed: add --extend to reuse the stored maps and compute just the new evaluations."
                : ". Run it into a new folder instead."));
    }

    /// <summary>When the run in the store first started: a resumed run keeps it, so that run.json and the history see one run.</summary>
    private static DateTimeOffset FirstStart(ResultStore store, DateTimeOffset now)
    {
        if (store.GetMeta("started_utc") is string text &&
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var first))
            return first;
        store.SetMeta("started_utc", now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        return now;
    }

    internal static double[] Softmax(ReadOnlySpan<float> logits)
    {
        double max = double.NegativeInfinity;
        foreach (float v in logits) max = Math.Max(max, v);
        var p = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < p.Length; i++) sum += p[i] = Math.Exp(logits[i] - max);
        for (int i = 0; i < p.Length; i++) p[i] /= sum;
        return p;
    }

    private static int ArgMax(double[] p)
    {
        int best = 0;
        for (int i = 1; i < p.Length; i++) if (p[i] > p[best]) best = i;
        return best;
    }

    private static RunInfo Info(
        RunPlan plan, LoadedModel model, string? weightsSha, IDataset dataset, IReadOnlyList<DatasetItem> selected,
        DateTimeOffset started, DateTimeOffset? finished, Timings timings, List<string> notes, IReadOnlyDictionary<string, string> protocols)
    {
        var (commit, dirty) = RunEnvironment.Git();
        var inv = CultureInfo.InvariantCulture;
        static string Dir(MetricDirection d) => d switch { MetricDirection.HigherIsBetter => "higher", MetricDirection.LowerIsBetter => "lower", _ => "none" };
        return new RunInfo
        {
            Name = plan.Name,
            Seed = plan.Seed,
            ConfigHash = plan.ConfigHash,
            ResolvedConfig = (JsonObject)plan.ResolvedConfig.DeepClone(),
            EvalHarnessVersion = RunEnvironment.Version,
            GitCommit = commit,
            GitDirty = dirty,
            Machine = RunEnvironment.Machine(),
            StartedUtc = started,
            FinishedUtc = finished,
            Model = new ModelInfo(model.Config.Name, model.Config.Architecture, model.Config.Weights, weightsSha, model.Preprocessing.ToString(), model.NumClasses),
            Dataset = new DatasetInfo(dataset.Kind, dataset.Source, dataset.Items.Count, selected.Count,
                Subset.Describe(plan.Limit, plan.SubsetModeName, plan.Seed)),
            Methods = plan.Methods.Select(m => new Reports.Results.MethodInfo(m.Id, m.Descriptor.Name, m.Descriptor.Version, m.Descriptor.Family,
                m.Parameters, m.Layer, m.Assembly is null ? m.Descriptor.Source : $"{m.Descriptor.Source} ({m.TypeName} in {m.Assembly})")).ToList(),
            Metrics = plan.Metrics.Select(m => new MetricInfo(m.Id, m.Descriptor.Name, m.Descriptor.Version, m.Descriptor.Category.ToString().ToLowerInvariant(),
                m.Parameters, protocols.GetValueOrDefault(m.Id, ""), m.Descriptor.Source,
                m.Descriptor.Outputs.Select(o => new MetricValueInfo(o.Name, Dir(o.Direction), o.Description)).ToList())).ToList(),
            Timings = timings.ToList(),
            Notes = notes,
        };
    }

    /// <summary>Wall time per stage and id, summed over batches.</summary>
    private sealed class Timings
    {
        private readonly List<(string Stage, string Id)> _order = [];
        private readonly Dictionary<(string, string), (double Seconds, int Images)> _sum = [];

        public void Add(string stage, string id, double seconds, int images)
        {
            if (!_sum.TryGetValue((stage, id), out var s)) _order.Add((stage, id));
            _sum[(stage, id)] = (s.Seconds + seconds, s.Images + images);
        }

        public List<TimingInfo> ToList() => _order.Select(k => new TimingInfo(k.Stage, k.Id, _sum[k].Seconds, _sum[k].Images)).ToList();
    }
}
