using System.Globalization;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Io;
using EvalHarness.Tests.Common;

namespace EvalHarness.Cli.Tests.Runs;

/// <summary>
/// Every run config under configs/ validates: the quickstart as it is; the paper-table configs against a
/// small ImageNet layout made here (two images in the Kaggle localisation layout) and the model configs
/// without their weights files (eh-init-v1), which the repository cannot hold; the shared SqueezeNet
/// config against the shared folder when it is there.
/// </summary>
public sealed class ShippedRunConfigTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Configs => Path.Combine(TestPaths.RepoRoot, "configs");

    private static List<string> PaperFiles() =>
        Directory.GetFiles(Path.Combine(Configs, "papers"), "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();

    public static TheoryData<string> PaperConfigs() => new(PaperFiles());

    [Fact]
    public void The_paper_configs_cover_the_four_papers()
    {
        var names = PaperFiles();
        foreach (var paper in new[] { "scorecam-", "liftcam-", "clrp-", "ge-" })
            Assert.Contains(names, n => n.StartsWith(paper, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(PaperConfigs))]
    public void A_paper_config_validates_against_an_imagenet_layout(string file)
    {
        string root = MirrorConfigs();
        string imagenet = FakeImageNet();
        string config = Path.Combine(root, "papers", file);
        string text = File.ReadAllText(config);
        Assert.Contains("include: ../base/imagenet-val.yaml", text);
        Assert.Matches(@"(?m)^# .*(arXiv|et al\.)", text); // cites what it reproduces
        File.WriteAllText(Path.Combine(root, "base", "imagenet-val.yaml"),
            File.ReadAllText(Path.Combine(root, "base", "imagenet-val.yaml")).Replace("${IMAGENET:-../../datasets/imagenet}", imagenet));
        var run = CliRun.Of("validate", config).Ok();
        Assert.Contains("valid", run.Output);
        Assert.Contains("2 image(s)", run.Output);
    }

    [Fact]
    public void The_quickstart_validates()
    {
        var run = CliRun.Of("validate", Path.Combine(Configs, "quickstart.yaml")).Ok();
        Assert.Contains("valid", run.Output);
    }

    [SkippableFact]
    public void The_shared_squeezenet_config_validates_on_the_shared_folder()
    {
        Skip.If(TestPaths.Shared is null, "the shared folder (../shared or EVALHARNESS_SHARED) is absent");
        var run = CliRun.Of("validate", Path.Combine(Configs, "shared-squeezenet.yaml"), "--limit", "3").Ok();
        Assert.Contains("1000 image(s)", run.Output);
    }

    /// <summary>configs/ copied, with the model configs' weights lines removed (eh-init-v1 weights).</summary>
    private string MirrorConfigs()
    {
        string root = _temp.File("configs");
        foreach (var file in Directory.GetFiles(Configs, "*.yaml", SearchOption.AllDirectories))
        {
            string target = Path.Combine(root, Path.GetRelativePath(Configs, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var lines = File.ReadAllLines(file);
            if (Path.GetFileName(Path.GetDirectoryName(file)) == "models")
                lines = lines.Where(l => !l.StartsWith("weights:", StringComparison.Ordinal)).ToArray();
            File.WriteAllLines(target, lines);
        }
        return root;
    }

    /// <summary>Two images in the Kaggle ImageNet localisation layout, with 1000 synsets.</summary>
    private string FakeImageNet()
    {
        string root = _temp.File("imagenet");
        string images = Path.Combine(root, "ILSVRC", "Data", "CLS-LOC", "val");
        Directory.CreateDirectory(images);
        var rng = new Random(3);
        for (int i = 1; i <= 2; i++)
        {
            var pixels = new byte[80 * 60 * 3];
            rng.NextBytes(pixels);
            File.WriteAllBytes(Path.Combine(images, $"ILSVRC2012_val_{i:00000000}.JPEG"), Png.Encode(new Image(80, 60, pixels)));
        }
        File.WriteAllLines(Path.Combine(root, "LOC_synset_mapping.txt"),
            Enumerable.Range(0, 1000).Select(i => $"n{i.ToString("00000000", CultureInfo.InvariantCulture)} class {i}"));
        File.WriteAllText(Path.Combine(root, "LOC_val_solution.csv"),
            "ImageId,PredictionString\nILSVRC2012_val_00000001,n00000007 5 5 40 30 \nILSVRC2012_val_00000002,n00000999 0 0 79 59 \n");
        return root;
    }
}
