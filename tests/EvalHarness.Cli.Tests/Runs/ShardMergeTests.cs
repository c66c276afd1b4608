using System.Diagnostics;
using EvalHarness.Harness.Running;
using EvalHarness.Reports.Results;

namespace EvalHarness.Cli.Tests.Runs;

/// <summary>run --shard i/n and merge: shards run as parallel processes and merged give the single run's tables exactly.</summary>
public sealed class ShardMergeTests : IDisposable
{
    private const string Methods = "[gradcam, smoothgrad, {name: rise, params: {masks: 64, cells: 4}}, shapcam]";
    private const string Metrics = "[average-drop, {name: deletion, params: {steps: 8}}, {name: pointing-game, params: {tolerance: 4}}, shap-error]";
    private static readonly string[] Tables = [ResultsFolder.PerImageCsv, ResultsFolder.SummaryCsv, ResultsFolder.CurvesCsv, ResultsFolder.ShapCsv];

    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Config(int images = 9, int seed = 5) =>
        _temp.Write($"shard-{images}-{seed}.yaml", RunConfigs.Synthetic("shard", images, 2, Methods, Metrics, seed: seed, gallery: 3));

    [Theory]
    [InlineData("synthetic-test-000000", 0, 1, 4, 230)]
    [InlineData("ILSVRC2012_val_00000001", 0, 2, 3, 576)]
    [InlineData("n01440764_10026", 1, 0, 0, 667)]
    public void The_shard_of_an_id_is_its_sha256_prefix_modulo_the_count(string id, int of2, int of3, int of7, int of1000)
    {
        // Expected values from Python: int.from_bytes(hashlib.sha256(id.encode()).digest()[:8], 'big') % n.
        Assert.Equal(of2, ShardSpec.Of(id, 2));
        Assert.Equal(of3, ShardSpec.Of(id, 3));
        Assert.Equal(of7, ShardSpec.Of(id, 7));
        Assert.Equal(of1000, ShardSpec.Of(id, 1000));
        Assert.Equal(0, ShardSpec.Of(id, 1));
    }

    [Fact]
    public void Shards_partition_any_set_of_ids_whatever_their_order()
    {
        var ids = Enumerable.Range(0, 1000).Select(i => $"img-{i * 7919 % 10007}").ToList();
        var shuffled = ids.OrderBy(id => id.GetHashCode()).ToList();
        for (int n = 1; n <= 5; n++)
        {
            var parts = Enumerable.Range(0, n).Select(i => ids.Where(new ShardSpec(i, n).Contains).ToHashSet()).ToList();
            Assert.Equal(ids.Count, parts.Sum(p => p.Count));
            Assert.Equal(ids.ToHashSet(), parts.SelectMany(p => p).ToHashSet());
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(parts[i], shuffled.Where(new ShardSpec(i, n).Contains).ToHashSet());
                if (n > 1) Assert.InRange(parts[i].Count, 1000 / n - 80, 1000 / n + 80);
            }
        }
    }

    [Fact]
    public void The_shard_comes_from_the_schedulers_environment()
    {
        static (ShardSpec, string)? From(params (string, string)[] env) =>
            ShardSpec.FromEnvironment(name => env.FirstOrDefault(e => e.Item1 == name).Item2);
        Assert.Null(From());
        Assert.Equal(new ShardSpec(3, 10), From(("JOB_COMPLETION_INDEX", "3"), ("EVALHARNESS_SHARD_COUNT", "10"))!.Value.Item1);
        Assert.Equal(new ShardSpec(2, 4), From(("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_COUNT", "4"))!.Value.Item1);
        // A shard re-run alone (--array=3) counts one task; EVALHARNESS_SHARD_COUNT keeps the real count.
        Assert.Equal(new ShardSpec(3, 4), From(("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "1"), ("EVALHARNESS_SHARD_COUNT", "4"))!.Value.Item1);
        Assert.Contains("EVALHARNESS_SHARD_COUNT", Assert.Throws<Engine.EvalHarnessException>(() => From(("JOB_COMPLETION_INDEX", "3"))).Message);
        Assert.Contains("0 to 1", Assert.Throws<Engine.EvalHarnessException>(() => From(("JOB_COMPLETION_INDEX", "2"), ("EVALHARNESS_SHARD_COUNT", "2"))).Message);
    }

    [Fact]
    public void Bad_shard_specs_are_refused()
    {
        string config = Config();
        foreach (var bad in new[] { "5/3", "-1/3", "0/0", "abc", "1" })
            CliRun.Of("run", config, "--shard", bad, "--out", _temp.File("x"), "--quiet").UserError("--shard", bad);
        Assert.False(Directory.Exists(_temp.File("x")));
    }

    [Fact]
    public void One_two_and_three_parallel_shard_processes_merge_to_the_single_run()
    {
        string config = Config();
        string single = _temp.File("single");
        CliRun.Of("run", config, "--out", single, "--quiet").Ok();
        var reference = ResultsFolder.Read(single);
        foreach (int n in new[] { 1, 2, 3 })
        {
            string parent = _temp.File($"shards-{n}");
            var processes = Enumerable.Range(0, n)
                .Select(i => Process.Start(ChildProcess.Cli(_temp.Path, "run", config, "--shard", $"{i}/{n}", "--out", Path.Combine(parent, $"s{i}"), "--quiet"))!)
                .ToList();
            foreach (var p in processes)
            {
                string err = p.StandardError.ReadToEnd();
                p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                Assert.True(p.ExitCode == 0, $"shard process failed: {err}");
                p.Dispose();
            }
            var counts = Enumerable.Range(0, n).Select(i => ResultsFolder.Read(Path.Combine(parent, $"s{i}")).PerImage.Select(r => r.ImageId).Distinct().Count()).ToList();
            Assert.Equal(9, counts.Sum());

            string merged = _temp.File($"merged-{n}");
            var run = CliRun.Of("merge", parent, "--out", merged).Ok();
            Assert.Contains("merged 9 images", run.Output);
            Assert.Equal(RunConfigs.Bytes(single, Tables), RunConfigs.Bytes(merged, Tables));
            var m = ResultsFolder.Read(merged);
            Assert.Null(m.Info.Shard);
            Assert.Equal(reference.Info.ConfigHash, m.Info.ConfigHash);
            Assert.Equal(reference.Gallery, m.Gallery, GalleryItemComparer.Instance);
            foreach (var g in m.Gallery)
                foreach (var file in g.Maps.Values.Prepend(g.InputPng))
                    Assert.Equal(File.ReadAllBytes(Path.Combine(single, file)), File.ReadAllBytes(Path.Combine(merged, file)));
            Assert.True(File.Exists(Path.Combine(merged, "report.html")) || !reference.Info.ResolvedConfig.ToJsonString().Contains("\"report\":true"));
        }
    }

    [Fact]
    public async Task A_shard_killed_mid_run_and_resumed_merges_to_the_single_run()
    {
        string config = Config(images: 12);
        string single = _temp.File("single");
        CliRun.Of("run", config, "--out", single, "--quiet").Ok();
        string parent = _temp.File("shards");
        CliRun.Of("run", config, "--shard", "0/2", "--out", Path.Combine(parent, "s0"), "--quiet").Ok();

        string s1 = Path.Combine(parent, "s1");
        // SIGKILL the shard once it has stored a method's results (run.json is rewritten after each method of each
        // batch). A shard that finishes before the kill lands (a fast machine) proves nothing: that attempt is
        // repeated in a fresh folder, at most three times.
        for (int attempt = 1; ; attempt++)
        {
            using (var p = Process.Start(ChildProcess.Cli(_temp.Path, "run", config, "--shard", "1/2", "--out", s1, "--quiet"))!)
            {
                _ = p.StandardOutput.ReadToEndAsync();
                _ = p.StandardError.ReadToEndAsync();
                var clock = Stopwatch.StartNew();
                string runJson = Path.Combine(s1, ResultsFolder.RunJson);
                while (!p.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60)
                       && !(File.Exists(runJson) && ReadShared(runJson).Contains("\"stage\": \"method\"", StringComparison.Ordinal)))
                    await Task.Delay(20);
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync();
            }
            if (!File.Exists(Path.Combine(s1, ResultsFolder.PerImageCsv)) || attempt == 3) break;
            Directory.Delete(s1, recursive: true);
        }
        Assert.False(File.Exists(Path.Combine(s1, ResultsFolder.PerImageCsv)), "the shard finished before the kill in three attempts; the test proves nothing");
        CliRun.Of("merge", parent, "--out", _temp.File("early")).UserError("1/2", "did not finish", "--shard 1/2 --resume");

        CliRun.Of("run", config, "--shard", "1/2", "--out", s1, "--resume", "--quiet").Ok();
        CliRun.Of("merge", parent, "--out", _temp.File("merged")).Ok();
        Assert.Equal(RunConfigs.Bytes(single, Tables), RunConfigs.Bytes(_temp.File("merged"), Tables));
    }

    [Fact]
    public void Merge_refuses_missing_doubled_and_mismatched_shards()
    {
        string config = Config(images: 4);
        string parent = _temp.File("shards");
        for (int i = 0; i < 3; i++) CliRun.Of("run", config, "--shard", $"{i}/3", "--out", Path.Combine(parent, $"s{i}"), "--quiet").Ok();
        string s0 = Path.Combine(parent, "s0"), s1 = Path.Combine(parent, "s1"), s2 = Path.Combine(parent, "s2");

        CliRun.Of("merge", s0, s2, "--out", _temp.File("m1")).UserError("shard(s) 1/3 missing", "--shard 1/3");
        CopyFolder(s1, _temp.File("copy-of-s1"));
        CliRun.Of("merge", s0, s1, s2, _temp.File("copy-of-s1"), "--out", _temp.File("m2")).UserError("1/3 is there twice", s1, _temp.File("copy-of-s1"));

        string other = Config(images: 4, seed: 6);
        CliRun.Of("run", other, "--shard", "1/3", "--out", _temp.File("other-s1"), "--quiet").Ok();
        CliRun.Of("merge", s0, _temp.File("other-s1"), s2, "--out", _temp.File("m3")).UserError("not shards of one run", "config hash");

        CliRun.Of("run", config, "--out", _temp.File("unsharded"), "--quiet").Ok();
        CliRun.Of("merge", _temp.File("unsharded"), "--out", _temp.File("m4")).UserError("without --shard");

        CliRun.Of("run", config, "--shard", "1/3", "--out", s1, "--resume", "--quiet").Ok(); // a finished shard resumes to the same result
        CliRun.Of("run", config, "--shard", "2/3", "--out", s1, "--resume", "--quiet").UserError("holds shard 1/3, not 2/3");
        CliRun.Of("merge", parent, "--out", _temp.File("m5")).Ok();
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(dir.Replace(from, to));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories)) File.Copy(file, file.Replace(from, to));
    }

    private sealed class GalleryItemComparer : IEqualityComparer<GalleryItem>
    {
        public static readonly GalleryItemComparer Instance = new();

        public bool Equals(GalleryItem? a, GalleryItem? b) =>
            a is not null && b is not null && a.ImageId == b.ImageId && a.InputPng == b.InputPng && a.Target == b.Target &&
            a.Boxes.SequenceEqual(b.Boxes) && a.Maps.OrderBy(m => m.Key).SequenceEqual(b.Maps.OrderBy(m => m.Key));

        public int GetHashCode(GalleryItem item) => item.ImageId.GetHashCode(StringComparison.Ordinal);
    }

    /// <summary>The text of a file another process may be rewriting (empty while it is being replaced).</summary>
    private static string ReadShared(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return new StreamReader(stream).ReadToEnd();
        }
        catch (IOException)
        {
            return "";
        }
    }
}
