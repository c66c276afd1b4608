using System.Text.Json.Nodes;
using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Io;
using EvalHarness.Reports.Results;
using EvalHarness.Reports.Statistics;

namespace EvalHarness.Reports.Tests;

/// <summary>
/// A realistic synthetic results folder: four methods, deletion/insertion (with curves), pointing game (not defined
/// where an image has no box), average drop, shap-error (not defined for the gradient method, with shap.csv),
/// and a gallery of PNG inputs with boxes and .npy maps. Values come from a seeded generator, summaries are
/// computed from the per-image values as the runner does (mean, s/√n, Student-t 95% interval).
/// </summary>
internal static class SyntheticRun
{
    public static readonly string[] Methods = ["gradcam", "scorecam", "gradient", "rise"];

    // Per method: how good it is (0 best); shapes every metric's mean.
    private static readonly double[] Quality = [0.2, 0.0, 0.9, 0.5];

    public const int Steps = 20, GalleryWidth = 48, GalleryHeight = 40, Channels = 16;

    public static RunResults Create(int images = 12, ulong seed = 7, string name = "nightly-vgg16", DateTimeOffset? started = null)
    {
        var rng = new Random((int)seed);
        var start = started ?? new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);
        var perImage = new List<PerImageRow>();
        var shap = new List<ShapRow>();
        for (int i = 0; i < images; i++)
        {
            string id = $"ILSVRC2012_val_{i + 1:00000000}";
            int label = 100 + i;
            double p = 0.5 + 0.45 * rng.NextDouble();
            bool hasBox = i % 5 != 3;
            for (int m = 0; m < Methods.Length; m++)
            {
                double q = Quality[m];
                void Add(string metric, string value, double v, string? reason = null) =>
                    perImage.Add(new PerImageRow(id, i, label, label, label, p, Methods[m], metric, value, reason is null ? v : double.NaN, reason));
                Add("deletion", "auc", 0.08 + 0.15 * q + 0.05 * rng.NextDouble());
                Add("insertion", "auc", 0.75 - 0.2 * q + 0.08 * rng.NextDouble());
                Add("pointing-game", "hit", rng.NextDouble() < 0.9 - 0.4 * q ? 1 : 0, hasBox ? null : "the image has no box of the target class");
                Add("average-drop", "drop", 30 + 30 * q + 10 * rng.NextDouble());
                Add("average-drop", "increase", rng.NextDouble() < 0.3 - 0.2 * q ? 1 : 0);
                string? noShap = Methods[m] == "gradient" ? "the method gives no channel contributions" : null;
                Add("shap-error", "error", 0.1 + 0.6 * q + 0.1 * rng.NextDouble(), noShap);
                Add("shap-error", "reference_rel_se", 0, noShap);
                if (noShap is null && i < 3)
                    for (int k = 0; k < Channels; k++)
                    {
                        double reference = 0.2 * (rng.NextDouble() * 2 - 1) + (k == 0 ? 0.5 : 0);
                        shap.Add(new ShapRow(Methods[m], id, k, reference + q * 0.15 * (rng.NextDouble() * 2 - 1), reference));
                    }
            }
        }
        var curves = new List<CurveRow>();
        foreach (var (metric, m) in new[] { "deletion", "insertion" }.SelectMany(x => Enumerable.Range(0, Methods.Length).Select(m => (x, m))))
            for (int s = 0; s <= Steps; s++)
            {
                double x = (double)s / Steps, rate = 8 - 5 * Quality[m];
                double y = metric == "deletion" ? 0.8 * Math.Exp(-rate * x) : 0.8 * (1 - Math.Exp(-rate * x)) + 0.05;
                curves.Add(new CurveRow(Methods[m], metric, s, x, y, s == 0 ? double.NaN : 0.02, images));
            }
        var info = Info(name, seed, start, images);
        return new RunResults { Info = info, PerImage = perImage, Summary = Summarise(info, perImage), Curves = curves, Shap = shap, Gallery = [] };
    }

    public static RunInfo Info(string name, ulong seed, DateTimeOffset start, int images) => new()
    {
        Name = name,
        Seed = seed,
        ConfigHash = "9f2c1e7a44b0d3c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d",
        ResolvedConfig = new JsonObject
        {
            ["name"] = name,
            ["seed"] = seed,
            ["model"] = new JsonObject { ["config"] = "/work/configs/models/vgg16.yaml" },
            ["methods"] = new JsonArray(Methods.Select(m => (JsonNode)new JsonObject { ["name"] = m }).ToArray()),
            ["metrics"] = new JsonArray(new JsonObject { ["name"] = "deletion", ["steps"] = Steps }, new JsonObject { ["name"] = "insertion", ["steps"] = Steps }),
        },
        EvalHarnessVersion = "0.1.0",
        GitCommit = "e638c31a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e",
        GitDirty = false,
        Machine = new MachineInfo("Linux 6.1", ".NET 10.0", "AMD EPYC (2 cores)", 2, "managed avx2"),
        StartedUtc = start,
        FinishedUtc = start.AddSeconds(754.5),
        Model = new ModelInfo("vgg16", "vgg16", "vgg16-397923af.pth", "397923af8e79cdbb6a7127f12361acd7a2f83e06b05044ddf496e83de57a5bf0", "resize 256, crop 224, ImageNet mean/std", 1000),
        Dataset = new DatasetInfo("imagenet-val", "/data/imagenet/val", 50000, images, $"first {images} by file name"),
        Methods = Methods.Select(m => new MethodInfo(m, m, 1, m == "gradient" ? "gradient" : "cam", new Dictionary<string, string>(), m == "gradient" ? null : "features.29", "paper")).ToList(),
        Metrics =
        [
            new MetricInfo("deletion", "deletion", 1, "Faithfulness", new Dictionary<string, string> { ["steps"] = "20" }, "blur substrate", "Petsiuk et al. 2018",
                [new MetricValueInfo("auc", "lower", "area under the deletion curve")]),
            new MetricInfo("insertion", "insertion", 1, "Faithfulness", new Dictionary<string, string> { ["steps"] = "20" }, "blur substrate", "Petsiuk et al. 2018",
                [new MetricValueInfo("auc", "higher", "area under the insertion curve")]),
            new MetricInfo("pointing-game", "pointing-game", 1, "Localization", new Dictionary<string, string> { ["tolerance"] = "15" }, "TorchRay", "Zhang et al. 2018",
                [new MetricValueInfo("hit", "higher", "the maximum lies in a box")]),
            new MetricInfo("average-drop", "average-drop", 1, "Faithfulness", new Dictionary<string, string>(), "masked input", "Chattopadhay et al. 2018",
                [new MetricValueInfo("drop", "lower", "%"), new MetricValueInfo("increase", "higher", "fraction")]),
            new MetricInfo("shap-error", "shap-error", 1, "Shap", new Dictionary<string, string> { ["top_k"] = "10" }, "exact", "LIFT-CAM",
                [new MetricValueInfo("error", "lower", "normalised error"), new MetricValueInfo("reference_rel_se", "none", "bookkeeping")]),
        ],
        Timings = [new TimingInfo("model", "vgg16", 2.5, images), .. Methods.Select((m, i) => new TimingInfo("method", m, 10.0 + 20 * i, images)), new TimingInfo("metric", "deletion", 300, images)],
        Notes = ["3 boxes were dropped by the centre crop."],
    };

    /// <summary>Summary rows from per-image values the way the runner computes them.</summary>
    public static List<SummaryRow> Summarise(RunInfo info, IReadOnlyList<PerImageRow> perImage)
    {
        var rows = new List<SummaryRow>();
        foreach (var g in perImage.GroupBy(p => (p.Method, p.Metric, p.ValueName)))
        {
            var metric = info.Metrics.First(m => m.Id == g.Key.Metric);
            int index = metric.Values.ToList().FindIndex(v => v.Name == g.Key.ValueName);
            var values = g.Select(p => p.Value).Where(v => !double.IsNaN(v)).ToList();
            int n = values.Count, nd = g.Count() - n;
            double mean = n > 0 ? values.Average() : double.NaN;
            double se = n > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (n - 1) / n) : double.NaN;
            double t = n > 1 ? Distributions.StudentCritical(0.05, n - 1) : double.NaN;
            rows.Add(new SummaryRow(g.Key.Method, g.Key.Metric, g.Key.ValueName, metric.Values[index].Direction, index == 0, mean, se, mean - t * se, mean + t * se, n, nd));
        }
        return rows;
    }

    /// <summary>Writes the run with a two-image gallery (PNG inputs with a box each, one .npy map per method) to <paramref name="dir"/>.</summary>
    public static RunResults Write(string dir, RunResults? run = null)
    {
        run ??= Create();
        var gallery = new List<GalleryItem>();
        foreach (var (id, k) in run.PerImage.Select(p => p.ImageId).Distinct().Take(2).Select((id, k) => (id, k)))
        {
            string folder = $"gallery/{id}";
            Directory.CreateDirectory(Path.Combine(dir, folder));
            Png.Write(Path.Combine(dir, folder, "input.png"), Picture(k));
            var maps = new Dictionary<string, string>();
            for (int m = 0; m < Methods.Length; m++)
            {
                string rel = $"{folder}/{Methods[m]}.npy";
                Npy.Write(Path.Combine(dir, rel), Blob(16 + 6 * m, 14 + 4 * k, 6 + 2 * m));
                maps[Methods[m]] = rel;
            }
            gallery.Add(new GalleryItem(id, 100 + k, 100 + k, 100 + k, GalleryWidth, GalleryHeight, [new GalleryBox(100 + k, 10, 8, 30, 28)], $"{folder}/input.png", maps));
        }
        var written = run with { Gallery = gallery };
        ResultsFolder.Write(dir, written);
        return written;
    }

    /// <summary>An input picture: a diagonal colour gradient with a dark disc.</summary>
    public static Image Picture(int k)
    {
        var image = new Image(GalleryWidth, GalleryHeight);
        for (int y = 0; y < GalleryHeight; y++)
            for (int x = 0; x < GalleryWidth; x++)
            {
                int o = (y * GalleryWidth + x) * 3;
                bool disc = (x - 20) * (x - 20) + (y - 18) * (y - 18) < 60;
                image.Pixels[o] = (byte)(disc ? 40 : 120 + 2 * x);
                image.Pixels[o + 1] = (byte)(disc ? 30 : 90 + 3 * y);
                image.Pixels[o + 2] = (byte)(disc ? 20 : 60 + 40 * k);
            }
        return image;
    }

    /// <summary>A Gaussian blob in [0, 1], H×W float32.</summary>
    public static Tensor Blob(double cx, double cy, double sigma)
    {
        var t = Tensor.Uninitialized(GalleryHeight, GalleryWidth);
        for (int y = 0; y < GalleryHeight; y++)
            for (int x = 0; x < GalleryWidth; x++)
                t.Data[y * GalleryWidth + x] = (float)Math.Exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * sigma * sigma));
        return t;
    }

    /// <summary>A copy of the run with <paramref name="delta"/> added to one method's values of one metric value (summaries recomputed).</summary>
    public static RunResults Shift(RunResults run, string method, string metric, string valueName, double delta)
    {
        var perImage = run.PerImage.Select(p => p.Method == method && p.Metric == metric && p.ValueName == valueName && !double.IsNaN(p.Value) ? p with { Value = p.Value + delta } : p).ToList();
        return run with { PerImage = perImage, Summary = Summarise(run.Info, perImage) };
    }
}
