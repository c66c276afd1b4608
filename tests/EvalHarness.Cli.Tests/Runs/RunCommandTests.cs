using System.Globalization;
using EvalHarness.Reports.Results;

namespace EvalHarness.Cli.Tests.Runs;

/// <summary><c>evalharness run</c> end to end on generated data: the files, their agreement with each other, determinism.</summary>
public sealed class RunCommandTests : IDisposable
{
    private const int Images = 5;
    private const string Methods = "[gradcam, liftcam, {name: rise, params: {masks: 64, cells: 4}}]";
    private const string Metrics = "[average-drop, {name: deletion, params: {steps: 8}}, {name: insertion, params: {steps: 8}}, " +
        "{name: pointing-game, params: {tolerance: 4}}, {name: energy-pointing-game, id: energy-mask, params: {region: masks}}, shap-error]";

    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Config(string name = "e2e", bool report = false) =>
        _temp.Write(name + ".yaml", RunConfigs.Synthetic(name, Images, 2, Methods, Metrics, report: report, gallery: report ? 2 : 0));

    [Fact]
    public void A_run_writes_tables_that_agree_with_each_other_and_with_the_config()
    {
        string config = Config(report: true);
        string dir = _temp.File("out");
        var run = CliRun.Of("run", config, "--out", dir, "--quiet").Ok();
        Assert.Contains($"results: {dir}", run.Output);
        var r = ResultsFolder.Read(dir);

        // run.json: what was run, with what.
        Assert.Equal("e2e", r.Info.Name);
        Assert.Equal(5UL, r.Info.Seed);
        Assert.Matches("^[0-9a-f]{64}$", r.Info.ConfigHash);
        Assert.Equal(Images, (int)r.Info.ResolvedConfig["subset"]!["limit"]!);
        Assert.Equal(["gradcam", "liftcam", "rise"], r.Info.Methods.Select(m => m.Id));
        Assert.All(r.Info.Methods, m => Assert.True(m.Version > 0));
        Assert.Equal(["average-drop", "deletion", "insertion", "pointing-game", "energy-mask", "shap-error"], r.Info.Metrics.Select(m => m.Id));
        Assert.Equal("features.14", r.Info.Methods[0].TargetLayer);
        Assert.False(string.IsNullOrEmpty(r.Info.GitCommit));
        Assert.NotNull(r.Info.Model.WeightsSha256);
        Assert.Contains(r.Info.Timings, t => t.Stage == "method" && t.Id == "rise" && t.Images == Images);

        // per_image.csv: every image × method × metric value exactly once, images in selection order.
        var keys = r.PerImage.Select(p => (p.ImageId, p.Method, p.Metric, p.ValueName)).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        for (int i = 0; i < Images; i++)
        {
            var rows = r.PerImage.Where(p => p.ImageIndex == i).ToList();
            Assert.All(rows, p => Assert.Equal($"synthetic-test-{i:000000}", p.ImageId));
            Assert.All(rows, p => Assert.Equal(p.Label, p.Target));
            foreach (var method in r.Info.Methods)
                foreach (var metric in r.Info.Metrics)
                {
                    var names = rows.Where(p => p.Method == method.Id && p.Metric == metric.Id).Select(p => p.ValueName).ToList();
                    Assert.Contains(metric.Values[0].Name, names);
                    Assert.Equal(names, r.PerImage.Where(p => p.ImageIndex == 0 && p.Method == method.Id && p.Metric == metric.Id).Select(p => p.ValueName));
                }
        }
        Assert.All(r.PerImage.Where(p => p.Method == "rise" && p.Metric == "shap-error"), p =>
        {
            Assert.True(double.IsNaN(p.Value));
            Assert.False(string.IsNullOrEmpty(p.NotDefinedReason));
        });

        // summary.csv: recomputed here from per_image.csv; the interval is Student-t with n − 1 = 4 degrees of freedom.
        const double t4 = 2.7764451051977987;
        foreach (var s in r.Summary.Where(s => s.ValueName == "hit:class-mean"))
        {
            // TorchRay's pointing-game score: the mean over target classes of each class's hit rate.
            var rates = r.PerImage.Where(p => p.Method == s.Method && p.Metric == s.Metric && p.ValueName == "hit" && !double.IsNaN(p.Value))
                .GroupBy(p => p.Target).Select(g => g.Average(p => p.Value)).ToList();
            Assert.Equal(rates.Average(), s.Mean, 12);
            Assert.Equal(rates.Count, s.N);
            Assert.False(s.Headline);
        }
        Assert.Equal(3, r.Summary.Count(s => s.ValueName == "hit:class-mean"));
        foreach (var s in r.Summary.Where(s => s.ValueName != "hit:class-mean"))
        {
            var values = r.PerImage.Where(p => p.Method == s.Method && p.Metric == s.Metric && p.ValueName == s.ValueName).Select(p => p.Value).ToList();
            var defined = values.Where(v => !double.IsNaN(v)).ToList();
            Assert.Equal(defined.Count, s.N);
            Assert.Equal(values.Count - defined.Count, s.NotDefined);
            if (defined.Count == 0)
            {
                Assert.True(double.IsNaN(s.Mean));
                continue;
            }
            double mean = defined.Average();
            Assert.Equal(mean, s.Mean, 12);
            double sd = Math.Sqrt(defined.Sum(v => (v - mean) * (v - mean)) / (defined.Count - 1));
            Assert.Equal(sd / Math.Sqrt(defined.Count), s.StandardError, 12);
            Assert.Equal(Images, defined.Count);
            Assert.Equal(mean - t4 * s.StandardError, s.Ci95Low, 1e-9 * Math.Max(1, Math.Abs(mean)));
            Assert.Equal(mean + t4 * s.StandardError, s.Ci95High, 1e-9 * Math.Max(1, Math.Abs(mean)));
        }
        foreach (var method in r.Info.Methods)
            foreach (var metric in r.Info.Metrics)
            {
                var headline = Assert.Single(r.Summary, s => s.Method == method.Id && s.Metric == metric.Id && s.Headline);
                Assert.Equal(metric.Values[0].Name, headline.ValueName);
                Assert.Equal(metric.Values[0].Direction, headline.Direction);
            }

        // curves.csv: the trapezoid area under each mean curve is the mean of the per-image AUCs (the rule is linear).
        foreach (var method in r.Info.Methods)
            foreach (var metric in new[] { "deletion", "insertion" })
            {
                var curve = r.Curves.Where(c => c.Method == method.Id && c.Metric == metric).OrderBy(c => c.Step).ToList();
                Assert.Equal(9, curve.Count);
                Assert.All(curve, c => Assert.Equal(Images, c.N));
                Assert.Equal(0, curve[0].X, 12);
                Assert.Equal(1, curve[^1].X, 12);
                double area = 0;
                for (int s = 1; s < curve.Count; s++) area += (curve[s].X - curve[s - 1].X) * (curve[s].MeanY + curve[s - 1].MeanY) / 2;
                double auc = r.Summary.Single(s => s.Method == method.Id && s.Metric == metric && s.ValueName == "auc").Mean;
                Assert.Equal(auc, area, 9);
            }

        foreach (var file in new[] { "summary.md", "report.html", "gallery/index.json" })
            Assert.True(File.Exists(Path.Combine(dir, file)), file);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir, "plots"), "*.svg"));
    }

    [Fact]
    public void The_same_config_and_seed_give_byte_identical_tables()
    {
        string config = Config("twice");
        CliRun.Of("run", config, "--out", _temp.File("a"), "--quiet").Ok();
        CliRun.Of("run", config, "--out", _temp.File("b"), "--quiet").Ok();
        string[] files = [ResultsFolder.PerImageCsv, ResultsFolder.SummaryCsv, ResultsFolder.CurvesCsv];
        Assert.Equal(RunConfigs.Bytes(_temp.File("a"), files), RunConfigs.Bytes(_temp.File("b"), files));
    }

    [Fact]
    public void A_new_metric_on_an_old_run_recomputes_no_maps()
    {
        string dir = _temp.File("cache");
        const string methods = "[gradcam, {name: rise, params: {masks: 64, cells: 4}}]";
        string first = _temp.Write("cache1.yaml", RunConfigs.Synthetic("cache", 3, 3, methods, "[average-drop]"));
        CliRun.Of("run", first, "--out", dir, "--quiet").Ok();
        var before = ResultsFolder.Read(dir);
        Assert.Contains(before.Info.Timings, t => t.Stage == "method" && t.Id == "rise");

        // A changed config is refused by a plain --resume, which says that --extend would take it.
        string second = _temp.Write("cache2.yaml", RunConfigs.Synthetic("cache", 3, 3, methods, "[average-drop, {name: pointing-game, params: {tolerance: 4}}]"));
        CliRun.Of("run", second, "--out", dir, "--resume", "--quiet").UserError("--resume refused", "metrics[1]", "--extend");

        CliRun.Of("run", second, "--out", dir, "--resume", "--extend", "--quiet").Ok();
        var after = ResultsFolder.Read(dir);
        Assert.DoesNotContain(after.Info.Timings, t => t.Stage == "method");
        Assert.DoesNotContain(after.Info.Timings, t => t.Stage == "metric" && t.Id == "average-drop");
        Assert.Contains(after.Info.Timings, t => t.Stage == "metric" && t.Id == "pointing-game");
        var old = before.PerImage.Select(p => (p.ImageId, p.Method, p.Metric, p.ValueName, p.Value)).ToList();
        Assert.Equal(old, after.PerImage.Where(p => p.Metric == "average-drop").Select(p => (p.ImageId, p.Method, p.Metric, p.ValueName, p.Value)));
        Assert.Equal(2 * 3, after.PerImage.Count(p => p.Metric == "pointing-game" && p.ValueName == "hit"));

        // The same maps give the same values as a fresh run of the second config.
        CliRun.Of("run", second, "--out", _temp.File("fresh"), "--quiet").Ok();
        Assert.Equal(RunConfigs.Bytes(_temp.File("fresh"), ResultsFolder.PerImageCsv, ResultsFolder.SummaryCsv),
            RunConfigs.Bytes(dir, ResultsFolder.PerImageCsv, ResultsFolder.SummaryCsv));

        // --extend does not accept a change to what the maps depend on.
        string third = _temp.Write("cache3.yaml", RunConfigs.Synthetic("cache", 3, 3, "[gradcam]", "[average-drop]"));
        CliRun.Of("run", third, "--out", dir, "--resume", "--extend", "--quiet").UserError("--resume refused", "methods[1]", "metrics and outputs only");
    }

    [Fact]
    public void Shap_csv_holds_the_vectors_the_shap_error_was_computed_from()
    {
        string dir = _temp.File("shap");
        CliRun.Of("run", Config("shap"), "--out", dir, "--quiet").Ok();
        var r = ResultsFolder.Read(dir);
        // rise gives no channel contributions, so it has no rows; gradcam and liftcam have 16 channels per image.
        Assert.Equal(["gradcam", "liftcam"], r.Shap.Select(s => s.Method).Distinct());
        Assert.Equal(2 * Images * 16, r.Shap.Count);
        foreach (var group in r.Shap.GroupBy(s => (s.Method, s.ImageId)))
        {
            var rows = group.OrderBy(s => s.Channel).ToList();
            Assert.Equal(Enumerable.Range(0, 16), rows.Select(s => s.Channel));
            double diff = Math.Sqrt(rows.Sum(s => (s.Contribution - s.Reference) * (s.Contribution - s.Reference)));
            double norm = Math.Sqrt(rows.Sum(s => s.Reference * s.Reference));
            double error = r.PerImage.Single(p => p.Method == group.Key.Method && p.ImageId == group.Key.ImageId && p.Metric == "shap-error" && p.ValueName == "error").Value;
            Assert.Equal(error, diff / norm, 9);
        }
        // The reference does not depend on the method.
        foreach (var image in r.Shap.GroupBy(s => (s.ImageId, s.Channel)))
            Assert.Single(image.Select(s => s.Reference).Distinct());
    }

    [Fact]
    public void Finished_runs_are_appended_to_the_history_beside_them()
    {
        string root = _temp.File("results");
        string db = Path.Combine(root, "history.sqlite");
        Directory.CreateDirectory(root);
        new EvalHarness.Reports.History.HistoryStore(db).Dispose();
        string config = Config("hist");
        CliRun.Of("run", config, "--out", Path.Combine(root, "hist", "1"), "--quiet").Ok();
        CliRun.Of("run", config, "--out", Path.Combine(root, "hist", "2"), "--quiet").Ok();
        using var history = new EvalHarness.Reports.History.HistoryStore(db);
        var points = history.Points("hist");
        Assert.Equal(2, points.Select(p => p.RunKey).Distinct().Count());
        var summary = ResultsFolder.Read(Path.Combine(root, "hist", "2")).Summary.Single(s => s.Method == "gradcam" && s.Metric == "deletion" && s.Headline);
        Assert.All(points.Where(p => p.Method == "gradcam" && p.Metric == "deletion" && p.Headline), p => Assert.Equal(summary.Mean, p.Mean, 12));
        // Without a history beside it, an --out run writes none.
        CliRun.Of("run", config, "--out", _temp.File("elsewhere"), "--quiet").Ok();
        Assert.False(File.Exists(Path.Combine(_temp.Path, "history.sqlite")));
    }

    [Fact]
    public void The_cost_model_projects_the_measured_seconds_per_image_linearly()
    {
        string dir = _temp.File("cost");
        CliRun.Of("run", _temp.Write("cost.yaml", RunConfigs.Synthetic("cost", 3, 3, "[gradcam]", "[average-drop]")), "--out", dir, "--quiet").Ok();
        var info = ResultsFolder.Read(dir).Info;
        var total = info.Timings.Single(t => t.Stage == "run" && t.Id == "total");
        double perImage = total.Seconds / 3;
        var run = CliRun.Of("cost", dir, "--images", "100000", "--nodes", "1,3").Ok();
        Assert.Contains($"{perImage.ToString("0.###", CultureInfo.InvariantCulture)} s per image", run.Output);
        // 100000 images on 3 nodes: ⌈100000/3⌉ = 33334 images each; core-hours count every image once on the run's cores.
        string Wall(double s) => CostCommand.Duration(s);
        Assert.Contains(Wall(100000 * perImage), run.Output);
        Assert.Contains(Wall(33334 * perImage), run.Output);
        Assert.Contains((100000 * perImage * info.Machine.LogicalCores / 3600).ToString("0", CultureInfo.InvariantCulture), run.Output);
        CliRun.Of("cost", dir, "--nodes", "0").UserError("--nodes", "positive");
    }
}
