using EvalHarness.Engine.Io;
using EvalHarness.Tests.Common;

namespace EvalHarness.Cli.Tests;

public sealed class ConvertAndValidateTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Convert_writes_the_float_tensors_of_a_pytorch_checkpoint()
    {
        var input = TestPaths.Fixture("pth", "convnet.pth");
        var output = _dir.File("sub/convnet.safetensors");
        var run = CliRun.Of("convert", input, output).Ok();
        Assert.Contains("9 float32 tensors", run.Output);
        Assert.Contains("bn1.num_batches_tracked", run.Output);

        var tensors = SafeTensors.Load(output);
        var expected = Directory.EnumerateFiles(TestPaths.Fixture("pth", "expected", "convnet"), "*.npy")
            .Select(f => Path.GetFileNameWithoutExtension(f)).Where(n => !n.EndsWith("num_batches_tracked", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(expected, tensors.Keys.Order().ToList());
        foreach (var name in expected)
        {
            var reference = Npy.Read(TestPaths.Fixture("pth", "expected", "convnet", name + ".npy"));  // written by PyTorch
            Assert.Equal(reference.Shape, tensors[name].ShapeArray);
            Assert.Equal((float[])reference.Data, tensors[name].Data);
        }
    }

    [Fact]
    public void Convert_refuses_a_wrong_output_name()
    {
        CliRun.Of("convert", TestPaths.Fixture("pth", "convnet.pth"), _dir.File("x.npy")).UserError("must end in .safetensors");
        CliRun.Of("convert", TestPaths.Fixture("pth", "not_a_checkpoint.pth"), _dir.File("x.safetensors")).UserError("not_a_checkpoint.pth");
    }

    [Fact]
    public void Validate_model_prints_a_summary_without_running_the_model()
    {
        using var tiny = new TinyModel();
        var run = CliRun.Of("validate-model", tiny.Config).Ok();
        Assert.Contains("architecture  squeezenet1_1", run.Output);
        Assert.Contains("NOT pretrained", run.Output);
        Assert.Contains("labels        " + tiny.Dir.File("labels.txt"), run.Output);
        Assert.Contains("input         1×3×64×64", run.Output);
        Assert.Contains("target layer  features.12 (the architecture's default)", run.Output);
        Assert.Contains("layer output  [1×512×3×3]", run.Output);
        Assert.Contains("logits        [1×10]", run.Output);
        Assert.Contains("valid (no weights file", run.Output);
    }

    [Fact]
    public void List_shows_every_method_and_architecture()
    {
        var methods = CliRun.Of("list", "methods").Ok().Output;
        foreach (var m in Saliency.SaliencyCatalog.Names) Assert.Contains("\n" + m + " ", methods);
        var models = CliRun.Of("list", "MODELS").Ok().Output;
        foreach (var a in Models.ModelZoo.Architectures)
        {
            var line = models.Split('\n').Single(l => l.StartsWith(a + " ", StringComparison.Ordinal));
            Assert.Contains(Models.ModelZoo.DefaultTargetLayer(a), line);
            Assert.EndsWith("224×224", line);
        }
    }
}
