using System.Globalization;
using System.Text.Json;
using EvalHarness.Engine;
using EvalHarness.Engine.Io;

namespace EvalHarness.Cli.Tests;

public sealed class PredictTests : IDisposable
{
    private readonly TinyModel _tiny = new();

    public void Dispose() => _tiny.Dispose();

    /// <summary>Logits of one preprocessed input, computed directly with the loaded model.</summary>
    private float[] DirectLogits(Tensor input) => _tiny.Load().Logits(input).Data;

    private Tensor Prepared(string imagePath) => _tiny.Load().Prepare(ImageFile.Read(imagePath)).Tensor;

    private static double[] Softmax(float[] logits)
    {
        double max = logits.Max();
        var e = logits.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    [Fact]
    public void Text_output_lists_the_top_classes_with_names_and_probabilities()
    {
        var image = _tiny.WritePng("a.png", 80, 70, 1);
        var run = CliRun.Of("predict", "--model-config", _tiny.Config, "--image", image, "--top", "3").Ok();

        var p = Softmax(DirectLogits(Prepared(image)));
        var expected = Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).Take(3).ToList();
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal(image, lines[0]);
        for (int r = 0; r < 3; r++)
        {
            int c = expected[r];
            Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"   {r + 1}. {p[c]:0.0000}  {c}  label {c}"), lines[r + 1]);
        }
        Assert.Contains("NOT pretrained", run.Error);
    }

    [Fact]
    public void Json_output_has_every_class_ranked_with_probabilities_summing_to_one()
    {
        var image = _tiny.WritePng("a.png", 80, 70, 2);
        var run = CliRun.Of("predict", "-m", _tiny.Config, "-i", image, "--top", "50", "--json").Ok();
        using var doc = JsonDocument.Parse(run.Output);
        var root = doc.RootElement;
        Assert.Equal("tiny", root.GetProperty("model").GetString());
        Assert.Equal("squeezenet1_1", root.GetProperty("architecture").GetString());
        Assert.False(root.GetProperty("pretrained").GetBoolean());
        var result = Assert.Single(root.GetProperty("results").EnumerateArray().ToList());
        Assert.Equal(image, result.GetProperty("image").GetString());
        var top = result.GetProperty("top").EnumerateArray().ToList();
        Assert.Equal(TinyModel.Classes, top.Count); // --top is capped at the number of classes

        var p = Softmax(DirectLogits(Prepared(image)));
        double previous = 1, sum = 0;
        foreach (var entry in top)
        {
            int c = entry.GetProperty("class").GetInt32();
            double prob = entry.GetProperty("probability").GetDouble();
            Assert.Equal($"label {c}", entry.GetProperty("label").GetString());
            Assert.Equal(p[c], prob, 1e-6);
            Assert.True(prob <= previous);
            previous = prob;
            sum += prob;
        }
        Assert.Equal(1.0, sum, 1e-9);
        Assert.Equal(Enumerable.Range(0, TinyModel.Classes), top.Select(t => t.GetProperty("class").GetInt32()).Order());
    }

    [Fact]
    public void A_folder_of_images_and_npy_tensors_runs_in_batches_and_writes_the_logits_in_name_order()
    {
        var model = _tiny.Load();
        _tiny.WritePng("batch/b.png", 80, 70, 3);
        _tiny.WritePng("batch/a.png", 64, 100, 4);
        var cSource = TinyModel.Picture(90, 90, 5);
        var dSource = TinyModel.Picture(75, 66, 6);
        _tiny.WriteNpy("batch/c.npy", model.Prepare(cSource).Tensor, batchDim: false);
        _tiny.WriteNpy("batch/d.npy", model.Prepare(dSource).Tensor, batchDim: true);
        _tiny.Dir.Write("batch/notes.txt", "not an input");
        var logitsPath = _tiny.Dir.File("out/logits.npy");

        var run = CliRun.Of("predict", "-m", _tiny.Config, "--image", _tiny.Dir.File("batch"), "--batch-size", "3", "--logits-out", logitsPath).Ok();

        var names = run.Output.Split('\n').Where(l => l.Length > 0 && !l.StartsWith(' ')).Select(Path.GetFileName).ToList();
        Assert.Equal(["a.png", "b.png", "c.npy", "d.npy"], names);
        var logits = Npy.Read(logitsPath);
        Assert.Equal("<f4", logits.DType);
        Assert.Equal([4, TinyModel.Classes], logits.Shape);
        var all = (float[])logits.Data;
        var singles = new[]
        {
            model.Prepare(ImageFile.Read(_tiny.Dir.File("batch/a.png"))).Tensor,
            model.Prepare(ImageFile.Read(_tiny.Dir.File("batch/b.png"))).Tensor,
            model.Prepare(cSource).Tensor,
            model.Prepare(dSource).Tensor,
        };
        for (int n = 0; n < 4; n++)
        {
            var expected = model.Logits(singles[n]).Data;
            for (int k = 0; k < TinyModel.Classes; k++)
                Assert.True(Math.Abs(expected[k] - all[n * TinyModel.Classes + k]) <= 1e-5f * (1 + Math.Abs(expected[k])),
                    $"image {n} class {k}: batched {all[n * TinyModel.Classes + k]}, single {expected[k]}");
        }
    }

    [Fact]
    public void Repeated_image_options_keep_their_order()
    {
        var a = _tiny.WritePng("a.png", 70, 70, 7);
        var b = _tiny.WritePng("b.png", 70, 80, 8);
        var run = CliRun.Of("predict", "-m", _tiny.Config, "--image", b, "--image", a, "--top", "1").Ok();
        var heads = run.Output.Split('\n').Where(l => l.Length > 0 && !l.StartsWith(' ')).ToList();
        Assert.Equal([b, a], heads);
    }
}
