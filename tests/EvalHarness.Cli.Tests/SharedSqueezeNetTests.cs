using System.Diagnostics;
using System.Globalization;
using EvalHarness.Engine;
using EvalHarness.Engine.Io;
using EvalHarness.Models;
using EvalHarness.Models.Config;
using EvalHarness.Tests.Common;
using Xunit.Abstractions;

namespace EvalHarness.Cli.Tests;

/// <summary>
/// The real SqueezeNet of the shared folder on real ImageNet images, through configs/models/squeezenet1_0-dc.yaml.
/// Skipped (with the reason) when the shared folder is absent.
/// </summary>
public class SharedSqueezeNetTests(ITestOutputHelper log)
{
    private const string Dataset = "datasets/imagenet-val-1000";
    private const int Images = 200;
    private const int Batch = 25;

    private static string ConfigPath => Path.Combine(TestPaths.RepoRoot, "configs", "models", "squeezenet1_0-dc.yaml");

    private static (string Images, string Labels, string Synsets) RequireShared()
    {
        var dataset = TestPaths.SharedFile(Dataset, out var reason);
        Skip.If(dataset is null, $"Needs the shared ImageNet sample: {reason}. Set EVALHARNESS_SHARED to the shared folder to run it.");
        var weights = TestPaths.SharedFile("models/squeezenet1_0-dc.safetensors", out reason);
        Skip.If(weights is null, $"Needs the shared SqueezeNet: {reason}. Set EVALHARNESS_SHARED to the shared folder to run it.");
        return (Path.Combine(dataset!, "images"), Path.Combine(dataset!, "LOC_val_solution.csv"), Path.Combine(dataset!, "LOC_synset_mapping.txt"));
    }

    /// <summary>Class index of every image: the first synset of its row, numbered by LOC_synset_mapping.txt's line order.</summary>
    private static Dictionary<string, int> Labels(string solutionCsv, string synsetMapping)
    {
        var index = File.ReadLines(synsetMapping).Select((line, i) => (Synset: line.Split(' ')[0], i)).ToDictionary(x => x.Synset, x => x.i);
        Assert.Equal(1000, index.Count);
        return File.ReadLines(solutionCsv).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(','))
            .ToDictionary(p => p[0], p => index[p[1].Split(' ')[0]]);
    }

    [SkippableFact]
    public void Top1_and_top5_accuracy_on_the_first_200_validation_images()
    {
        var (imageDir, csv, mapping) = RequireShared();
        var labels = Labels(csv, mapping);
        var model = ModelLoader.Load(ModelConfig.Load(ConfigPath));
        Assert.True(model.Pretrained);
        Assert.Equal(52, model.LoadedTensors);

        var files = Directory.EnumerateFiles(imageDir, "*.JPEG").Order(StringComparer.Ordinal).Take(Images).ToList();
        Assert.Equal(Images, files.Count);
        int top1 = 0, top5 = 0;
        var clock = Stopwatch.StartNew();
        for (int start = 0; start < files.Count; start += Batch)
        {
            var chunk = files.Skip(start).Take(Batch).ToList();
            var batch = model.Preprocessing.ApplyBatch(chunk.Select(ImageFile.Read).ToList()).Tensor;
            var logits = model.Logits(batch);
            for (int n = 0; n < chunk.Count; n++)
            {
                int truth = labels[Path.GetFileNameWithoutExtension(chunk[n])];
                var row = logits.Sample(n).ToArray();
                int rank = row.Count(v => v > row[truth]);
                if (rank == 0) top1++;
                if (rank < 5) top5++;
            }
        }
        double acc1 = 100.0 * top1 / Images, acc5 = 100.0 * top5 / Images;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"squeezenet1_0-dc on the first {Images} images of imagenet-val-1000: top-1 {acc1:0.0}% ({top1}), top-5 {acc5:0.0}% ({top5}); " +
            $"{clock.Elapsed.TotalSeconds:0.0} s. PyTorch 1.13 with the same weights and preprocessing: 74.5%, 90.5%; the model's README: 70.5%, 89.5%"));
        Assert.True(acc1 >= 68.0, $"top-1 {acc1}% is below 68% (torchvision measured 70.5%)");
        Assert.True(acc5 >= 87.0, $"top-5 {acc5}% is below 87% (torchvision measured 89.5%)");
    }

    [SkippableFact]
    public void The_cli_names_a_real_image_class_and_explains_it()
    {
        var (imageDir, _, _) = RequireShared();
        var image = Path.Combine(imageDir, "ILSVRC2012_val_00000355.JPEG"); // a chow (class 260)
        var run = CliRun.Of("predict", "-m", ConfigPath, "-i", image, "--top", "1").Ok();
        Assert.Matches(@"1\. 0\.\d{4}  260  chow", run.Output);
        Assert.Equal("", run.Error);

        using var dir = new TempDir();
        var map = dir.File("map.npy");
        var explain = CliRun.Of("explain", "-m", ConfigPath, "-i", image, "--method", "gradcam", "--out", map, "--png", dir.File("o.png")).Ok();
        Assert.Contains("target 260 (chow)", explain.Output);
        Assert.Equal([227, 227], Npy.Read(map).Shape);
        Assert.Equal((227, 227), (Png.Read(dir.File("o.png")).Width, Png.Read(dir.File("o.png")).Height));
    }

    [SkippableFact]
    public void The_builtin_names_agree_with_the_synset_list_but_for_torchvisions_two_renamings()
    {
        var (_, _, mapping) = RequireShared();
        var first = File.ReadLines(mapping).Select(l => l[(l.IndexOf(' ') + 1)..].Split(',')[0].Trim()).ToList();
        var differ = Enumerable.Range(0, 1000).Where(i => first[i] != ClassLabels.ImageNet[i]).ToList();
        Assert.Equal([134, 639], differ); // "crane" → "crane bird", "maillot" → "maillot tank suit"
    }
}
