using System.Globalization;
using System.Text.Json.Nodes;
using EvalHarness.Engine;
using EvalHarness.Reports.Results;

namespace EvalHarness.Reports.Tests;

public sealed class ResultsFolderTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "eh-results-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    internal static RunResults Sample() => new()
    {
        Info = new RunInfo
        {
            Name = "sample",
            Seed = 7,
            ConfigHash = "abc123",
            ResolvedConfig = new JsonObject { ["name"] = "sample", ["seed"] = 7 },
            EvalHarnessVersion = "0.1.0",
            GitCommit = "0123456789abcdef0123456789abcdef01234567",
            GitDirty = false,
            Machine = new MachineInfo("Linux", ".NET 10", "test cpu", 2, "managed"),
            StartedUtc = new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero),
            FinishedUtc = new DateTimeOffset(2026, 11, 22, 8, 1, 30, TimeSpan.Zero),
            Model = new ModelInfo("tiny", "tinynet", "w.safetensors", "ff", "torchvision 224", 10),
            Dataset = new DatasetInfo("folder", "/data", 100, 2, "first 2"),
            Methods = [new MethodInfo("gradcam", "gradcam", 1, "cam", new Dictionary<string, string>(), "features.12", "Selvaraju et al. 2017")],
            Metrics = [new MetricInfo("deletion", "deletion", 1, "Faithfulness", new Dictionary<string, string> { ["steps"] = "224" }, "raw pixels, zero substrate",
                "Petsiuk et al. 2018", [new MetricValueInfo("auc", "lower", "area under the curve")])],
            Timings = [new TimingInfo("method", "gradcam", 1.25, 2)],
        },
        PerImage =
        [
            new("img_1", 0, 3, 3, 3, 0.123456789012345, "gradcam", "deletion", "auc", 0.1 + 0.2, null),
            new("img,2", 1, 4, 4, 5, 1e-300, "gradcam", "deletion", "auc", double.NaN, "the saliency map contains NaN; \"quoted\""),
        ],
        Summary = [new("gradcam", "deletion", "auc", "lower", true, 0.30000000000000004, double.NaN, double.NaN, double.NaN, 1, 1)],
        Curves = [new("gradcam", "deletion", 0, 0, 0.5, double.NaN, 1), new("gradcam", "deletion", 1, 1.0 / 3, 0.25, double.NaN, 1)],
        Gallery = [new GalleryItem("img_1", 3, 3, 3, 8, 8, [new GalleryBox(3, 1, 2, 5, 6)], "gallery/img_1/input.png",
            new Dictionary<string, string> { ["gradcam"] = "gallery/img_1/gradcam.npy" })],
    };

    [Theory]
    [InlineData("")]
    [InlineData("de-DE")]
    [InlineData("fr-FR")]
    public void Round_trips_exactly_under_any_culture(string culture)
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
            var written = Sample();
            ResultsFolder.Write(_dir, written);
            var read = ResultsFolder.Read(_dir);
            Assert.Equal(written.PerImage, read.PerImage);
            Assert.Equal(written.Summary, read.Summary);
            Assert.Equal(written.Curves, read.Curves);
            Assert.Equal(written.Info.ConfigHash, read.Info.ConfigHash);
            Assert.Equal(written.Info.Metrics[0].Values, read.Info.Metrics[0].Values);
            Assert.Equal("gallery/img_1/gradcam.npy", read.Gallery[0].Maps["gradcam"]);
            Assert.Equal(written.Gallery[0].Boxes, read.Gallery[0].Boxes);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Summary_csv_is_written_in_the_invariant_culture_under_de_DE()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            ResultsFolder.Write(_dir, Sample());
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
        string[] lines = File.ReadAllLines(Path.Combine(_dir, ResultsFolder.SummaryCsv));
        Assert.Equal("method,metric,value_name,direction,headline,mean,se,ci95_low,ci95_high,n,not_defined", lines[0]);
        Assert.Equal("gradcam,deletion,auc,lower,true,0.30000000000000004,NaN,NaN,NaN,1,1", lines[1]);
        string[] perImage = File.ReadAllLines(Path.Combine(_dir, ResultsFolder.PerImageCsv));
        Assert.Equal("\"img,2\",1,4,4,5,1E-300,gradcam,deletion,auc,NaN,\"the saliency map contains NaN; \"\"quoted\"\"\"", perImage[2]);
    }

    [Fact]
    public void A_malformed_table_is_named_with_its_row()
    {
        ResultsFolder.Write(_dir, Sample());
        File.AppendAllText(Path.Combine(_dir, ResultsFolder.SummaryCsv), "gradcam,insertion,auc,higher,True,abc,0,0,0,1,0\n");
        var e = Assert.Throws<FileFormatException>(() => ResultsFolder.Read(_dir));
        Assert.Contains("summary.csv", e.Message);
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void A_missing_run_json_is_named()
    {
        ResultsFolder.Write(_dir, Sample());
        File.Delete(Path.Combine(_dir, ResultsFolder.RunJson));
        var e = Assert.Throws<FileFormatException>(() => ResultsFolder.Read(_dir));
        Assert.Contains("run.json", e.Message);
        Assert.Contains("missing", e.Message);
    }
}
