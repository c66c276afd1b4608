using System.Globalization;
using EvalHarness.Engine;
using EvalHarness.Reports.Results;

namespace EvalHarness.Harness.Running;

/// <summary>
/// <c>evalharness merge</c>: joins the results folders of the shards of one run into the folder the
/// unsharded run would have written. It refuses shards of different configs or versions, a missing,
/// unfinished or doubled shard, and images lost or repeated; then it reads every image's stored
/// evaluations from its shard's store.sqlite in whole-selection order and builds the tables with the
/// same code as a run, so per_image.csv, summary.csv, curves.csv and shap.csv equal the single run's.
/// </summary>
public static class Merger
{
    public sealed record Shard(string Directory, RunInfo Info);

    /// <summary>Shard folders named directly (holding run.json) or found one level below a named folder, sorted by index.</summary>
    public static List<Shard> Discover(IReadOnlyList<string> inputs)
    {
        var folders = new List<string>();
        foreach (var input in inputs)
        {
            string full = Path.GetFullPath(input);
            if (File.Exists(Path.Combine(full, ResultsFolder.RunJson))) folders.Add(full);
            else if (Directory.Exists(full))
                folders.AddRange(Directory.GetDirectories(full).Where(d => File.Exists(Path.Combine(d, ResultsFolder.RunJson)) && IsShard(d)).Order(StringComparer.Ordinal));
            else throw new EvalHarnessException($"merge: {full} does not exist; give shard folders or the folder that holds them.");
        }
        folders = folders.Distinct(StringComparer.Ordinal).ToList();
        if (folders.Count == 0) throw new EvalHarnessException($"merge: no results folder (with {ResultsFolder.RunJson}) in {string.Join(", ", inputs)}.");
        var shards = folders.Select(f => new Shard(f, ResultsFolder.ReadJson<RunInfo>(Path.Combine(f, ResultsFolder.RunJson)))).ToList();
        var unsharded = shards.Where(s => s.Info.Shard is null).ToList();
        if (unsharded.Count > 0)
            throw new EvalHarnessException($"merge: {string.Join(", ", unsharded.Select(s => s.Directory))} {(unsharded.Count > 1 ? "are runs" : "is a run")} without --shard; merge takes the shards of one run.");
        var runs = shards.GroupBy(s => (s.Info.ConfigHash, s.Info.Shard!.Count)).ToList();
        if (runs.Count > 1 && inputs.All(i => !File.Exists(Path.Combine(Path.GetFullPath(i), ResultsFolder.RunJson))))
            throw new EvalHarnessException($"merge: {string.Join(", ", inputs)} holds shards of {runs.Count} different runs (" +
                string.Join("; ", runs.Select(r => $"config {r.Key.ConfigHash[..12]}, {r.Count()} of {r.Key.Count} shards")) +
                "); give the folders of one run, e.g. <folder>/<config hash>-shard-*.");
        return shards.OrderBy(s => s.Info.Shard!.Index).ToList();
    }

    private static bool IsShard(string dir) => ResultsFolder.ReadJson<RunInfo>(Path.Combine(dir, ResultsFolder.RunJson)).Shard is not null;

    /// <summary>Checks that the shards are the complete, finished parts of one run.</summary>
    public static void Check(List<Shard> shards)
    {
        var first = shards[0];
        foreach (var s in shards.Skip(1))
        {
            var problems = new List<string>();
            if (s.Info.ConfigHash != first.Info.ConfigHash) problems.Add($"config hash {s.Info.ConfigHash[..12]} ≠ {first.Info.ConfigHash[..12]}");
            if (s.Info.Shard!.Count != first.Info.Shard!.Count) problems.Add($"shard count {s.Info.Shard.Count} ≠ {first.Info.Shard.Count}");
            if (s.Info.EvalHarnessVersion != first.Info.EvalHarnessVersion) problems.Add($"EvalHarness {s.Info.EvalHarnessVersion} ≠ {first.Info.EvalHarnessVersion}");
            static string Versions(RunInfo i) => string.Join(", ", i.Methods.Select(m => $"{m.Id} v{m.Version}").Concat(i.Metrics.Select(m => $"{m.Id} v{m.Version}")));
            if (Versions(s.Info) != Versions(first.Info)) problems.Add($"method/metric versions [{Versions(s.Info)}] ≠ [{Versions(first.Info)}]");
            if (problems.Count > 0)
                throw new EvalHarnessException($"merge: {s.Directory} and {first.Directory} are not shards of one run: {string.Join("; ", problems)}.");
        }
        int n = first.Info.Shard!.Count;
        foreach (var group in shards.GroupBy(s => s.Info.Shard!.Index).Where(g => g.Count() > 1))
            throw new EvalHarnessException($"merge: shard {group.Key}/{n} is there twice: {string.Join(" and ", group.Select(s => s.Directory))}; keep one.");
        string Rerun(int i) => $"evalharness run <config> --shard {i}/{n} --resume";
        var missing = Enumerable.Range(0, n).Except(shards.Select(s => s.Info.Shard!.Index)).ToList();
        if (missing.Count > 0)
            throw new EvalHarnessException($"merge: shard(s) {string.Join(", ", missing.Select(i => $"{i}/{n}"))} missing (found {shards.Count} of {n}); " +
                $"run them (e.g. '{Rerun(missing[0])}') and merge again.");
        var unfinished = shards.Where(s => s.Info.FinishedUtc is null || !File.Exists(Path.Combine(s.Directory, ResultsFolder.PerImageCsv))).ToList();
        if (unfinished.Count > 0)
            throw new EvalHarnessException($"merge: shard(s) {string.Join(", ", unfinished.Select(s => $"{s.Info.Shard} ({s.Directory})"))} did not finish; " +
                $"continue with '{Rerun(unfinished[0].Info.Shard!.Index)}' and merge again.");
        var noStore = shards.FirstOrDefault(s => !File.Exists(Path.Combine(s.Directory, ResultStore.FileName)));
        if (noStore is not null)
            throw new EvalHarnessException($"merge: {noStore.Directory} has no {ResultStore.FileName}; merge reads the shards' stores (copy the whole shard folders).");
    }

    /// <summary>Merges the shards into <paramref name="outDir"/> (tables, run.json, gallery); the caller writes the reports.</summary>
    public static RunResults Merge(IReadOnlyList<string> inputs, string outDir)
    {
        var shards = Discover(inputs);
        Check(shards);
        var first = shards[0].Info;
        outDir = Path.GetFullPath(outDir);
        if (shards.Any(s => string.Equals(s.Directory, outDir, StringComparison.Ordinal)))
            throw new EvalHarnessException($"merge: --out {outDir} is one of the shards; give a new folder.");

        // Whole-selection order: every image exactly once, image_index 0 … N−1.
        var images = new List<(int Index, string Id, int Shard)>();
        for (int s = 0; s < shards.Count; s++)
            foreach (var (id, index) in ImageIndices(shards[s].Directory))
                images.Add((index, id, s));
        images.Sort((a, b) => a.Index.CompareTo(b.Index));
        int total = first.Dataset.Selected;
        foreach (var dup in images.GroupBy(i => i.Id).Where(g => g.Count() > 1))
            throw new EvalHarnessException($"merge: image {dup.Key} is in shards {string.Join(" and ", dup.Select(d => shards[d.Shard].Info.Shard))}; the shards do not partition one selection.");
        if (images.Count != total || images.Select((img, i) => img.Index == i).Any(ok => !ok))
            throw new EvalHarnessException($"merge: the shards hold {images.Count} images but the run selected {total}; " +
                $"first missing image_index: {Enumerable.Range(0, total).Except(images.Select(i => i.Index)).FirstOrDefault()}.");

        var metrics = first.Metrics.Select(m => new ResultTablesBuilder.MetricColumns(m.Id, m.Name, m.Values.Select(v => (v.Name, v.Direction)).ToList())).ToList();
        var methods = first.Methods.Select(m => m.Id).ToList();
        var acc = new ResultTablesBuilder.Accumulator(methods, metrics);
        var stores = shards.Select(s => ResultStore.Open(Path.Combine(s.Directory, ResultStore.FileName))).ToList();
        try
        {
            foreach (var (index, id, s) in images)
            {
                var store = stores[s];
                var image = store.FindImage(id) ?? throw new EvalHarnessException($"merge: {shards[s].Directory}: the store has no prediction for image {id}.");
                acc.Add(image, index, (m, k) => store.FindEvaluation(id, methods[m], metrics[k].Id));
            }
        }
        finally
        {
            foreach (var store in stores) store.Dispose();
        }
        var tables = acc.Finish();

        Directory.CreateDirectory(outDir);
        var gallery = MergeGallery(shards, images.ToDictionary(i => i.Id, i => i.Index), outDir, first);
        var info = first with
        {
            Shard = null,
            StartedUtc = shards.Min(s => s.Info.StartedUtc),
            FinishedUtc = shards.Max(s => s.Info.FinishedUtc),
            Metrics = first.Metrics.Select(m => m with { Protocol = tables.Protocols.GetValueOrDefault(m.Id, m.Protocol) }).ToList(),
            Timings = shards.SelectMany(s => s.Info.Timings).GroupBy(t => (t.Stage, t.Id))
                .Select(g => new TimingInfo(g.Key.Stage, g.Key.Id, g.Sum(t => t.Seconds), g.Sum(t => t.Images))).ToList(),
            Notes = [.. shards.SelectMany(s => s.Info.Notes).Where(n => !n.StartsWith("Shard ", StringComparison.Ordinal)).Distinct(),
                $"Merged from {shards.Count} shard(s): {string.Join(", ", shards.Select(s => $"{s.Info.Shard} ({s.Directory})"))}; timings are summed over the shards (machine time, not wall time)."],
        };
        var results = new RunResults { Info = info, PerImage = tables.PerImage, Summary = tables.Summary, Curves = tables.Curves, Shap = tables.Shap, Gallery = gallery };
        ResultsFolder.Write(outDir, results);
        return results;
    }

    private static IEnumerable<(string Id, int Index)> ImageIndices(string dir)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in ResultsFolder.Read(dir).PerImage)
            if (seen.Add(row.ImageId)) yield return (row.ImageId, row.ImageIndex);
    }

    /// <summary>The single run's gallery is the first k images of the selection; each shard holds its first k, so their union has them.</summary>
    private static List<GalleryItem> MergeGallery(List<Shard> shards, Dictionary<string, int> index, string outDir, RunInfo first)
    {
        int k = first.ResolvedConfig["outputs"]?["gallery"] is { } g && int.TryParse(g.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : 0;
        var items = new List<(int Index, GalleryItem Item, string Dir)>();
        foreach (var s in shards)
        {
            string json = Path.Combine(s.Directory, ResultsFolder.GalleryIndex);
            if (!File.Exists(json)) continue;
            foreach (var item in ResultsFolder.ReadJson<List<GalleryItem>>(json))
                items.Add((index[item.ImageId], item, s.Directory));
        }
        var chosen = items.OrderBy(i => i.Index).Take(k).ToList();
        foreach (var (_, item, dir) in chosen)
            foreach (var file in item.Maps.Values.Prepend(item.InputPng))
            {
                string target = Path.Combine(outDir, file);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(Path.Combine(dir, file), target, overwrite: true);
            }
        return chosen.Select(c => c.Item).ToList();
    }
}
