using EvalHarness.Engine.Io;

namespace EvalHarness.Cli.Tests;

/// <summary>Every user mistake: exit code 2, one "error: ..." line naming the problem, no stack trace, nothing on stdout.</summary>
public sealed class CliErrorTests : IDisposable
{
    private readonly TinyModel _tiny = new();

    public void Dispose() => _tiny.Dispose();

    private string Image() => _tiny.WritePng("img.png", 70, 70, 21);

    private string Out => _tiny.Dir.File("map.npy");

    [Fact]
    public void Command_line_syntax_errors()
    {
        CliRun.Of().UserError("Required command was not provided", "evalharness --help");
        CliRun.Of("predikt").UserError("predikt", "evalharness --help");
        CliRun.Of("predict").UserError("Option '--model-config' is required", "Option '--image' is required", "evalharness predict --help");
        CliRun.Of("predict", "-m", _tiny.Config, "-i", Image(), "--top", "many").UserError("many", "--top");
        CliRun.Of("predict", "-m", _tiny.Config, "-i", Image(), "--top", "0").UserError("--top must be at least 1");
        CliRun.Of("list").UserError("Required argument missing");
        CliRun.Of("list", "metods").UserError("Unknown list 'metods'", "Did you mean: methods");
    }

    [Fact]
    public void Help_is_not_an_error()
    {
        var run = CliRun.Of("explain", "--help").Ok();
        Assert.Contains("--method", run.Output);
        Assert.Contains("--weights-out", run.Output);
    }

    [Fact]
    public void Missing_files()
    {
        var missingConfig = _tiny.Dir.File("nope.yaml");
        CliRun.Of("predict", "-m", missingConfig, "-i", Image()).UserError(missingConfig, "model config file not found");
        var missingImage = _tiny.Dir.File("nope.png");
        CliRun.Of("predict", "-m", _tiny.Config, "-i", missingImage).UserError(missingImage, "no such file or folder");
        CliRun.Of("explain", "-m", _tiny.Config, "-i", missingImage, "--method", "gradcam", "--out", Out).UserError(missingImage, "file not found");
        CliRun.Of("validate-model", missingConfig).UserError(missingConfig, "model config file not found");
        var missingPth = _tiny.Dir.File("nope.pth");
        CliRun.Of("convert", missingPth, _tiny.Dir.File("x.safetensors")).UserError(missingPth, "does not exist");
        var empty = Directory.CreateDirectory(_tiny.Dir.File("empty")).FullName;
        CliRun.Of("predict", "-m", _tiny.Config, "-i", empty).UserError(empty, "holds no input files");
        var text = _tiny.Dir.Write("text.png", "hello, I am not a PNG");
        CliRun.Of("predict", "-m", _tiny.Config, "-i", text).UserError(text, "not a supported image format", "looks like text");
    }

    [Fact]
    public void Unknown_names_get_near_misses()
    {
        CliRun.Of("explain", "-m", _tiny.Config, "-i", Image(), "--method", "gradcamm", "--out", Out)
            .UserError("Unknown method 'gradcamm'", "Did you mean: gradcam");
        CliRun.Of("explain", "-m", _tiny.Config, "-i", Image(), "--method", "gradcam", "--layer", "features.99", "--out", Out)
            .UserError("Unknown layer 'features.99'", "Did you mean:");
        var badArch = _tiny.Dir.Write("bad.yaml", "architecture: squeezenet1_2\npreprocessing: {preset: torchvision}\n");
        CliRun.Of("predict", "-m", badArch, "-i", Image())
            .UserError($"{badArch}:1:15: architecture: Unknown architecture 'squeezenet1_2'", "Did you mean: squeezenet1_0, squeezenet1_1");
        CliRun.Of("validate-model", badArch).UserError("Unknown architecture 'squeezenet1_2'");
        CliRun.Of("explain", "-m", _tiny.Config, "-i", Image(), "--method", "scorecam", "--param", "variant=offical", "--out", Out)
            .UserError("Unknown Score-CAM variant 'offical'", "Did you mean: official");
    }

    [Fact]
    public void Bad_values()
    {
        CliRun.Of("explain", "-m", _tiny.Config, "-i", Image(), "--method", "gradcam", "--target", "10", "--out", Out)
            .UserError("Class index 10 is out of range: tiny has 10 classes (0 to 9)");
        CliRun.Of("explain", "-m", _tiny.Config, "-i", Image(), "--method", "gradcam", "--target", "-1", "--out", Out)
            .UserError("Class index -1 is out of range");
        CliRun.Of("explain", "-m", _tiny.Config, "-i", Image(), "--method", "gradcam", "--target", "cat", "--out", Out)
            .UserError("--target 'cat' is neither a class index (0 to 9) nor 'predicted'");
        CliRun.Of("explain", "-m", _tiny.Config, "-i", Image(), "--method", "gradcam", "--param", "variant", "--out", Out)
            .UserError("--param 'variant' is not key=value");
        CliRun.Of("explain", "-m", _tiny.Config, "-i", Image(), "--method", "gradcam", "--out", _tiny.Dir.File("map.txt"))
            .UserError("--out", "must end in .npy");
        CliRun.Of("explain", "-m", _tiny.Config, "-i", Image(), "--method", "gradcam", "--out", Out, "--png", _tiny.Dir.File("o.jpg"))
            .UserError("--png", "must end in .png");
        CliRun.Of("explain", "-m", _tiny.Config, "-i", Image(), "--method", "gradcam", "--out", Out, "--alpha", "1.5")
            .UserError("--alpha must be between 0 and 1");
        CliRun.Of("explain", "-m", _tiny.Config, "-i", _tiny.Dir.Path, "--method", "gradcam", "--out", Out)
            .UserError("explain takes one image file");
        Assert.False(File.Exists(Out));
    }

    [Fact]
    public void Wrong_npy_inputs()
    {
        var batch = _tiny.Dir.File("batch.npy");
        Npy.Write(batch, new NpyArray("<f4", [2, 3, 64, 64], new float[2 * 3 * 64 * 64]));
        CliRun.Of("predict", "-m", _tiny.Config, "-i", batch).UserError(batch, "has shape [2×3×64×64]", "C×H×W or 1×C×H×W");

        var flat = _tiny.Dir.File("flat.npy");
        Npy.Write(flat, new NpyArray("<f4", [64, 64], new float[64 * 64]));
        CliRun.Of("predict", "-m", _tiny.Config, "-i", flat).UserError(flat, "has shape [64×64]");

        var doubles = _tiny.Dir.File("double.npy");
        Npy.Write(doubles, new NpyArray("<f8", [3, 64, 64], new double[3 * 64 * 64]));
        CliRun.Of("predict", "-m", _tiny.Config, "-i", doubles).UserError(doubles, "'<f8', not float32", "astype(np.float32)");

        var channels = _tiny.Dir.File("four.npy");
        Npy.Write(channels, new NpyArray("<f4", [4, 64, 64], new float[4 * 64 * 64]));
        CliRun.Of("explain", "-m", _tiny.Config, "-i", channels, "--method", "gradcam", "--out", Out)
            .UserError(channels, "the input [1×4×64×64] does not fit squeezenet1_1", "features.0");

        var nan = _tiny.Dir.File("nan.npy");
        var values = new float[3 * 64 * 64];
        values[5] = float.NaN;
        Npy.Write(nan, new NpyArray("<f4", [3, 64, 64], values));
        CliRun.Of("predict", "-m", _tiny.Config, "-i", nan).UserError(nan, "contains NaN");
    }

    [Fact]
    public void Weights_that_do_not_fit_name_the_weights_file()
    {
        var graph = Models.ModelZoo.Create("squeezenet1_1", 7);
        var weights = _tiny.Dir.File("seven.safetensors");
        SafeTensors.Save(weights, graph.StateDict().Select(kv => KeyValuePair.Create(kv.Key, kv.Value.Value)));
        var config = _tiny.Dir.Write("ten.yaml", "architecture: squeezenet1_1\nweights: seven.safetensors\nnum_classes: 10\npreprocessing: {preset: torchvision, input_size: 64}\n");
        CliRun.Of("validate-model", config).UserError(weights, "classifier.1.weight (model [10×512×1×1], given [7×512×1×1])");
        CliRun.Of("predict", "-m", config, "-i", Image()).UserError(weights, "Wrong shape");
    }
}
