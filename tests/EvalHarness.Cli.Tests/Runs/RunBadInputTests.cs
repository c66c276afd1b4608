using EvalHarness.Reports.Results;

namespace EvalHarness.Cli.Tests.Runs;

/// <summary>User mistakes in run configs and run folders: one line naming the file, field or value and what would be valid; nothing computed is lost.</summary>
public sealed class RunBadInputTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Config(string text) => _temp.Write("c.yaml", text);

    private string Valid(int limit = 2, string methods = "[gradcam]", string metrics = "[average-drop]") =>
        RunConfigs.Synthetic("bad", limit, 2, methods, metrics);

    [Fact]
    public void Malformed_yaml_names_the_file_line_and_column()
    {
        string path = Config("name: x\nmethods: [gradcam\nmetrics: [deletion]\n");
        var r = CliRun.Of("validate", path).UserError(path);
        Assert.Matches(@"c\.yaml:\d+:\d+", r.Error);
        CliRun.Of("run", path, "--out", _temp.File("o")).UserError(path);
    }

    [Fact]
    public void Unknown_keys_and_names_get_the_nearest_valid_ones()
    {
        CliRun.Of("validate", Config(Valid().Replace("methods:", "methdos:"))).UserError("c.yaml:", "methdos", "methods");
        CliRun.Of("validate", Config(Valid(methods: "[gradcm]"))).UserError("c.yaml:", "methods[0]", "gradcm", "gradcam");
        CliRun.Of("validate", Config(Valid(metrics: "[delete]"))).UserError("c.yaml:", "metrics[0]", "delete", "deletion");
        CliRun.Of("validate", Config(Valid(methods: "[{name: gradcam, layer: features.99}]"))).UserError("methods[0].layer", "features.99", "features.14");
        CliRun.Of("validate", Config(Valid(methods: "[{name: rise, params: {maks: 10}}]"))).UserError("methods[0].params", "maks", "masks");
        CliRun.Of("validate", Config(Valid().Replace("kind: synthetic", "kind: imagenet"))).UserError("dataset.kind", "imagenet", "imagenet-loc");
    }

    [Fact]
    public void A_method_that_does_not_apply_to_the_model_is_refused_before_the_run()
    {
        string text = Valid(methods: "[gradcam, cam+ge]").Replace($"model: {RunConfigs.SynthNet}", "model: {architecture: squeezenet1_0, preprocessing: {preset: torchvision}}");
        string path = Config(text);
        CliRun.Of("validate", path).UserError("c.yaml:", "methods[1]", "CAM needs a head of global average pooling", "Conv2d");
        CliRun.Of("run", path, "--out", _temp.File("o"), "--quiet").UserError("methods[1]");
        Assert.False(Directory.Exists(_temp.File("o")));
    }

    [Fact]
    public void Duplicate_method_ids_are_refused_with_both_places()
    {
        CliRun.Of("validate", Config(Valid(methods: "[gradcam, {name: liftcam}, {name: gradcam, params: {}}]"))).UserError("c.yaml:", "gradcam");
        CliRun.Of("validate", Config(Valid(methods: "[{name: gradcam, id: a}, {name: liftcam, id: a}]"))).UserError("c.yaml:", "'a'");
    }

    [Fact]
    public void Missing_images_and_annotation_files_are_named()
    {
        string root = RunConfigs.Folder(_temp, 3, i => "2 2 30 30");
        File.Delete(Path.Combine(root, "images", "img01.png"));
        string text = Valid().Replace("{kind: synthetic, seed: 1, count: 1000, split: test}", $"{{kind: folder, root: {root}, classes: 4}}");
        CliRun.Of("validate", Config(text)).UserError("img01.png");

        string empty = _temp.File("imagenet");
        Directory.CreateDirectory(Path.Combine(empty, "images"));
        string loc = Valid().Replace("{kind: synthetic, seed: 1, count: 1000, split: test}", $"{{kind: imagenet-loc, root: {empty}}}");
        CliRun.Of("validate", Config(loc)).UserError("LOC_val_solution.csv");
    }

    [Fact]
    public void Images_without_boxes_or_masks_are_counted_as_not_defined_for_those_metrics_and_the_run_goes_on()
    {
        // A folder dataset has boxes (here for half the images) and no masks at all.
        string root = RunConfigs.Folder(_temp, 4, i => i % 2 == 0 ? "8 8 40 40" : null);
        string text = Valid(limit: 4, metrics: "[{name: pointing-game, params: {tolerance: 4}}, average-drop, {name: energy-pointing-game, id: energy-mask, params: {region: masks}}]")
            .Replace("{kind: synthetic, seed: 1, count: 1000, split: test}", $"{{kind: folder, root: {root}, classes: 4}}");
        string dir = _temp.File("nobox");
        CliRun.Of("run", Config(text), "--out", dir, "--quiet").Ok();
        var r = ResultsFolder.Read(dir);
        var hit = r.Summary.Single(s => s.Metric == "pointing-game" && s.ValueName == "hit");
        Assert.Equal(2, hit.N);
        Assert.Equal(2, hit.NotDefined);
        Assert.All(r.PerImage.Where(p => p.Metric == "pointing-game" && p.ValueName == "hit" && double.IsNaN(p.Value)),
            p => Assert.Contains("skipped", p.NotDefinedReason));
        Assert.Equal(4, r.Summary.Single(s => s.Metric == "average-drop" && s.Headline).N);
        var energy = r.Summary.Single(s => s.Metric == "energy-mask" && s.ValueName == "energy");
        Assert.Equal((0, 4), (energy.N, energy.NotDefined));
        Assert.All(r.PerImage.Where(p => p.Metric == "energy-mask" && p.ValueName == "energy"),
            p => Assert.Equal($"skipped: no mask of class {p.Target}", p.NotDefinedReason));
        // A value never defined is easy to miss in the tables: run.json says so with the most frequent reason.
        Assert.Contains(r.Info.Notes, n => n.StartsWith("energy-mask (energy) of 'gradcam' is not defined for any image; most often: skipped: no mask of class", StringComparison.Ordinal));
        Assert.DoesNotContain(r.Info.Notes, n => n.Contains("pointing-game", StringComparison.Ordinal));
    }

    [Fact]
    public void Precomputed_maps_that_are_missing_or_of_the_wrong_shape_are_named()
    {
        string maps = _temp.File("maps");
        Directory.CreateDirectory(maps);
        RunConfigs.Map(Path.Combine(maps, "synthetic-test-000000.npy"), 64, 64, (y, x) => x);
        string text = Valid(methods: "[{name: precomputed, params: {folder: maps}}]");
        // Missing: found before the first forward pass, by validate and by run.
        CliRun.Of("validate", Config(text)).UserError("synthetic-test-000001", Path.Combine(maps, "synthetic-test-000001.npy"));
        CliRun.Of("run", Config(text), "--out", _temp.File("o1"), "--quiet").UserError("synthetic-test-000001");

        RunConfigs.Map(Path.Combine(maps, "synthetic-test-000001.npy"), 32, 64, (y, x) => y);
        CliRun.Of("run", Config(text), "--out", _temp.File("o2"), "--quiet").UserErrorDuringRun("synthetic-test-000001.npy", "32×64", "64×64");

        CliRun.Of("validate", Config(Valid(methods: "[{name: precomputed, params: {folder: nowhere}}]"))).UserError("methods[0]", "nowhere", "does not exist");
    }

    [Fact]
    public void A_results_folder_that_cannot_be_written_is_named()
    {
        string file = _temp.Write("a-file", "x");
        string path = Config(Valid());
        CliRun.Of("run", path, "--out", Path.Combine(file, "run"), "--quiet").UserError(Path.Combine(file, "run"), "not writable");
    }

    [Fact]
    public void Resume_is_refused_without_a_run_or_against_a_changed_config()
    {
        string path = Config(Valid());
        CliRun.Of("run", path, "--out", _temp.File("none"), "--resume", "--quiet").UserError("--resume", "no store.sqlite");

        string dir = _temp.File("done");
        CliRun.Of("run", path, "--out", dir, "--quiet").Ok();
        CliRun.Of("run", path, "--out", dir, "--quiet").UserError("already holds a run", "--resume");
        string before = File.ReadAllText(Path.Combine(dir, ResultsFolder.PerImageCsv));

        CliRun.Of("run", Config(RunConfigs.Synthetic("bad", 2, 2, "[gradcam]", "[average-drop]", seed: 6)), "--out", dir, "--resume", "--quiet")
            .UserError("--resume refused", "seed: \"5\" → \"6\"");
        Assert.Equal(before, File.ReadAllText(Path.Combine(dir, ResultsFolder.PerImageCsv)));
        CliRun.Of("run", path, "--out", dir, "--extend", "--quiet").UserError("--extend", "--resume");
    }

    [Fact]
    public void A_failure_in_the_middle_of_a_run_keeps_every_finished_image_and_resume_completes_it()
    {
        // The maps of the 4th image are found only when its batch runs ({target} in the pattern), so the
        // run fails after two batches, as a full disk or a crash would stop it.
        string maps = _temp.File("maps");
        Directory.CreateDirectory(maps);
        string reference = _temp.File("reference");
        string text = RunConfigs.Synthetic("mid", 6, 2, "[{name: precomputed, params: {folder: maps, pattern: '{id}_{target}.npy'}}, gradcam]", "[average-drop, {name: pointing-game, params: {tolerance: 4}}]");
        string path = Config(text);
        var r0 = ResultsFolder.Read(RunAll(path, maps, reference));

        string dir = _temp.File("interrupted");
        foreach (var f in Directory.GetFiles(maps)) File.Delete(f);
        WriteMaps(maps, r0, except: "synthetic-test-000004");
        CliRun.Of("run", path, "--out", dir, "--quiet").UserErrorDuringRun("synthetic-test-000004");
        Assert.True(File.Exists(Path.Combine(dir, "store.sqlite")));
        Assert.False(File.Exists(Path.Combine(dir, ResultsFolder.PerImageCsv)));

        WriteMaps(maps, r0, except: null);
        var resumed = CliRun.Of("run", path, "--out", dir, "--resume", "--quiet").Ok();
        Assert.Contains("precomputed: 6/6 images (4 from the store)", resumed.Output);
        string[] files = [ResultsFolder.PerImageCsv, ResultsFolder.SummaryCsv];
        Assert.Equal(RunConfigs.Bytes(reference, files), RunConfigs.Bytes(dir, files));
    }

    private static string RunAll(string config, string maps, string dir)
    {
        for (int i = 0; i < 6; i++)
            for (int c = 0; c < 4; c++)
                RunConfigs.Map(Path.Combine(maps, $"synthetic-test-{i:000000}_{c}.npy"), 64, 64, (y, x) => (float)Math.Sin(0.1 * (x + 3 * y + i + c)));
        CliRun.Of("run", config, "--out", dir, "--quiet").Ok();
        return dir;
    }

    private static void WriteMaps(string maps, RunResults r, string? except)
    {
        foreach (var id in r.PerImage.Select(p => (p.ImageId, p.Target)).Distinct())
        {
            if (id.ImageId == except) continue;
            int i = int.Parse(id.ImageId[^6..], System.Globalization.CultureInfo.InvariantCulture);
            int c = id.Target;
            RunConfigs.Map(Path.Combine(maps, $"{id.ImageId}_{c}.npy"), 64, 64, (y, x) => (float)Math.Sin(0.1 * (x + 3 * y + i + c)));
        }
    }
}
