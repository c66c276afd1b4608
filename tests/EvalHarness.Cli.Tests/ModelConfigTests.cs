using EvalHarness.Engine.Imaging;
using EvalHarness.Models;
using EvalHarness.Models.Config;

namespace EvalHarness.Cli.Tests;

public sealed class ModelConfigTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private ModelConfig Load(string yaml, bool checkFiles = true) => ModelConfig.Load(_dir.Write("model.yaml", yaml), checkFiles);

    private ModelConfigException Fails(string yaml, bool checkFiles = true)
    {
        var path = _dir.Write("model.yaml", yaml);
        var e = Assert.Throws<ModelConfigException>(() => ModelConfig.Load(path, checkFiles));
        Assert.Equal(path, e.File);
        Assert.StartsWith(path + ":", e.Message);
        return e;
    }

    private static void At(ModelConfigException e, int line, int column, string? field)
    {
        Assert.Equal(line, e.Line);
        Assert.Equal(column, e.Column);
        Assert.Equal(field, e.Field);
        Assert.Contains($":{line}:{column}: ", e.Message);
    }

    [Fact]
    public void A_torchvision_preset_config_resolves_every_field()
    {
        _dir.Write("weights/r18.safetensors", "");
        _dir.Write("names.txt", string.Join("\n", Enumerable.Range(0, 10).Select(i => $"thing {i}")) + "\n");
        var c = Load("""
            # a comment
            architecture: resnet18
            weights: weights/r18.safetensors
            num_classes: 10
            labels: names.txt
            strip_prefix: "module."
            preprocessing:
              preset: torchvision
            """);
        Assert.Equal("resnet18", c.Architecture);
        Assert.Equal("model", c.Name);
        Assert.Equal(_dir.File("model.yaml"), c.SourcePath);
        Assert.Equal(Path.Combine(_dir.Path, "weights", "r18.safetensors"), c.Weights);
        Assert.True(c.Pretrained);
        Assert.Equal(10, c.NumClasses);
        Assert.Equal(_dir.File("names.txt"), c.Labels);
        Assert.Equal("module.", c.StripPrefix);
        Assert.Equal("torchvision", c.PreprocessingPreset);
        Assert.Equal(Preprocessing.Torchvision(256, 224), c.Preprocessing);
        Assert.Null(c.TargetLayer);
        Assert.Equal("layer4", c.ResolvedTargetLayer);
        Assert.Equal((224, 224), c.InputSize);
    }

    [Fact]
    public void Without_weights_the_model_uses_eh_init_and_says_it_is_not_pretrained()
    {
        var c = Load("""
            name: tiny
            architecture: SqueezeNet1_1
            init_seed: 42
            target_layer: features.9
            preprocessing: {preset: Caffe}
            """);
        Assert.Equal("tiny", c.Name);
        Assert.Equal("squeezenet1_1", c.Architecture);
        Assert.Null(c.Weights);
        Assert.False(c.Pretrained);
        Assert.Equal(42UL, c.InitSeed);
        Assert.Equal("features.9", c.ResolvedTargetLayer);
        Assert.Equal(Preprocessing.Caffe(227), c.Preprocessing);
        Assert.Contains("eh-init-v1", c.WeightsDescription);
        Assert.Contains("NOT pretrained", c.WeightsDescription);
        Assert.Contains("NOT pretrained", c.Summary());
        Assert.Null(c.Labels);
    }

    [Fact]
    public void A_preset_input_size_scales_the_torchvision_resize_as_256_over_224()
    {
        var c = Load("architecture: squeezenet1_1\npreprocessing:\n  preset: torchvision\n  input_size: 112\n");
        Assert.Equal(ResizeMode.ShorterSide, c.Preprocessing.Resize);
        Assert.Equal(128, c.Preprocessing.ResizeShorter); // round(112 · 256 / 224)
        Assert.Equal(112, c.Preprocessing.CropWidth);
        Assert.Equal((112, 112), c.InputSize);
    }

    [Fact]
    public void Overrides_replace_single_fields_of_the_preset()
    {
        var c = Load("""
            architecture: alexnet
            preprocessing:
              preset: torchvision
              resize: [240, 230]
              antialias: false
              center_crop: [224, 200]
              channel_order: bgr
              mean: [0.5, 0.5, 0.5]
            """);
        var expected = Preprocessing.Torchvision() with
        {
            Resize = ResizeMode.Exact, ResizeShorter = 0, ResizeWidth = 240, ResizeHeight = 230, Antialias = false,
            CropWidth = 224, CropHeight = 200, ChannelOrder = ChannelOrder.Bgr, Mean = [0.5f, 0.5f, 0.5f],
        };
        Assert.Equal(expected, c.Preprocessing);
        Assert.Equal((224, 200), c.InputSize);
    }

    [Fact]
    public void Every_field_given_explicitly_needs_no_preset()
    {
        var c = Load("""
            architecture: squeezenet1_0
            preprocessing:
              resize: [227, 227]
              antialias: true
              center_crop: none
              channel_order: BGR
              pixel_range: 255
              mean: [104, 117, 123]
              std: [1, 1, 1]
              input_size: 227
            """);
        Assert.Null(c.PreprocessingPreset);
        Assert.Equal(Preprocessing.Caffe(227), c.Preprocessing);

        var tv = Load("""
            architecture: resnet50
            preprocessing:
              resize: 256
              antialias: true
              center_crop: 224
              channel_order: RGB
              pixel_range: 1
              mean: [0.485, 0.456, 0.406]
              std: [0.229, 0.224, 0.225]
              input_size: [224, 224]
            """);
        Assert.Equal(Preprocessing.Torchvision(), tv.Preprocessing);
    }

    [Fact]
    public void Environment_variables_are_substituted_with_defaults_relative_to_the_config()
    {
        string set = "EH_TEST_SET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        string unset = "EH_TEST_UNSET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var elsewhere = _dir.Write("elsewhere/w.safetensors", "");
        Environment.SetEnvironmentVariable(set, Path.GetDirectoryName(elsewhere));
        try
        {
            var a = Load($"architecture: resnet18\nweights: ${{{set}}}/w.safetensors\npreprocessing: {{preset: torchvision}}\n");
            Assert.Equal(elsewhere, a.Weights);
            _dir.Write("fallback/w.safetensors", "");
            var b = Load($"architecture: resnet18\nweights: ${{{unset}:-fallback}}/w.safetensors\npreprocessing: {{preset: torchvision}}\n");
            Assert.Equal(_dir.File("fallback/w.safetensors"), b.Weights);
            var c = Load($"architecture: resnet18\nweights: ${{{set}:-fallback}}/w.safetensors\npreprocessing: {{preset: torchvision}}\n");
            Assert.Equal(elsewhere, c.Weights);
        }
        finally
        {
            Environment.SetEnvironmentVariable(set, null);
        }
    }

    [Fact]
    public void Substitution_rules()
    {
        string? Lookup(string n) => n switch { "A" => "x", "EMPTY" => "", _ => null };
        Assert.Equal("x/y", EnvironmentSubstitution.Apply("${A}/y", Lookup));
        Assert.Equal("d/y", EnvironmentSubstitution.Apply("${B:-d}/y", Lookup));
        Assert.Equal("d", EnvironmentSubstitution.Apply("${EMPTY:-d}", Lookup));
        Assert.Equal("x", EnvironmentSubstitution.Apply("${A:-d}", Lookup));
        Assert.Equal("$5 and ${A}", EnvironmentSubstitution.Apply("$5 and $${A}", Lookup));
        Assert.Equal("../../../shared/m", EnvironmentSubstitution.Apply("${B:-../../../shared}/m", Lookup));
        Assert.Contains("B is not set", Assert.ThrowsAny<Engine.EvalHarnessException>(() => EnvironmentSubstitution.Apply("${B}", Lookup)).Message);
        Assert.Contains("unterminated", Assert.ThrowsAny<Engine.EvalHarnessException>(() => EnvironmentSubstitution.Apply("${A", Lookup)).Message);
        Assert.Contains("not a valid name", Assert.ThrowsAny<Engine.EvalHarnessException>(() => EnvironmentSubstitution.Apply("${1A}", Lookup)).Message);
    }

    // --- errors -------------------------------------------------------------------------------------

    [Fact]
    public void An_unknown_key_names_the_nearest_valid_keys()
    {
        var e = Fails("archtecture: resnet18\npreprocessing: {preset: torchvision}\n");
        At(e, 1, 1, "archtecture");
        Assert.Contains("unknown key 'archtecture'", e.Message);
        Assert.Contains("Did you mean: architecture", e.Message);
        Assert.Contains("Valid keys: name, architecture, weights, init_seed, num_classes, labels, strip_prefix, target_layer, preprocessing", e.Message);
    }

    [Fact]
    public void An_unknown_preprocessing_key_names_the_field_path()
    {
        var e = Fails("architecture: resnet18\npreprocessing:\n  preset: torchvision\n  mena: [1, 2, 3]\n");
        At(e, 4, 3, "preprocessing.mena");
        Assert.Contains("Did you mean: mean", e.Message);
        Assert.Contains("Valid keys under preprocessing: preset, resize, antialias, center_crop, channel_order, pixel_range, mean, std, input_size", e.Message);
    }

    [Fact]
    public void An_unknown_architecture_lists_near_misses_and_the_valid_names()
    {
        var e = Fails("architecture: resnet5\npreprocessing: {preset: torchvision}\n");
        At(e, 1, 15, "architecture");
        Assert.Contains("Unknown architecture 'resnet5'", e.Message);
        Assert.Contains("Did you mean: resnet50", e.Message);
        Assert.Contains("mobilenet_v2", e.Message);
    }

    [Fact]
    public void Missing_required_fields_are_reported_at_the_mapping()
    {
        var e = Fails("preprocessing: {preset: torchvision}\n");
        At(e, 1, 1, "architecture");
        Assert.Contains("missing; valid architectures: vgg11", e.Message);

        e = Fails("architecture: resnet18\n");
        At(e, 1, 1, "preprocessing");
        Assert.Contains("'preset: torchvision' or 'preset: caffe'", e.Message);
    }

    [Fact]
    public void An_explicit_preprocessing_lists_every_missing_field()
    {
        var e = Fails("architecture: resnet18\npreprocessing:\n  resize: 256\n  center_crop: 224\n");
        At(e, 3, 3, "preprocessing");
        Assert.Contains("missing: antialias, channel_order, pixel_range, mean, std, input_size", e.Message);
    }

    [Fact]
    public void Bad_preprocessing_values_name_the_valid_choices()
    {
        var e = Fails("architecture: resnet18\npreprocessing:\n  preset: torchvison\n");
        At(e, 3, 11, "preprocessing.preset");
        Assert.Contains("Unknown preset 'torchvison'. Did you mean: torchvision?", e.Message);
        Assert.Contains("torchvision, caffe", e.Message);

        e = Fails("architecture: resnet18\npreprocessing:\n  preset: torchvision\n  channel_order: RBG\n");
        At(e, 4, 18, "preprocessing.channel_order");
        Assert.Contains("Unknown channel order 'RBG'", e.Message);
        Assert.Contains("RGB, BGR", e.Message);

        e = Fails("architecture: resnet18\npreprocessing:\n  preset: torchvision\n  pixel_range: 100\n");
        At(e, 4, 16, "preprocessing.pixel_range");
        Assert.Contains("'100' is not a valid pixel range; valid: 1 (", e.Message);
        Assert.Contains("or 255 (", e.Message);

        e = Fails("architecture: resnet18\npreprocessing:\n  preset: torchvision\n  mean: [0.5, 0.5]\n");
        At(e, 4, 9, "preprocessing.mean");
        Assert.Contains("a list of 3 numbers", e.Message);

        e = Fails("architecture: resnet18\npreprocessing:\n  preset: torchvision\n  std: [0.5, 0, 0.5]\n");
        At(e, 4, 14, "preprocessing.std[1]");
        Assert.Contains("'0' is not valid; expected a positive finite number", e.Message);

        e = Fails("architecture: resnet18\npreprocessing:\n  preset: torchvision\n  resize: big\n");
        At(e, 4, 11, "preprocessing.resize");
        Assert.Contains("'big' is not valid; expected N (the shorter side in pixels), [W, H] or none", e.Message);

        e = Fails("architecture: resnet18\npreprocessing:\n  preset: torchvision\n  antialias: maybe\n");
        At(e, 4, 14, "preprocessing.antialias");
        Assert.Contains("expected true or false", e.Message);
    }

    [Fact]
    public void Inconsistent_sizes_are_errors()
    {
        var e = Fails("architecture: resnet18\npreprocessing:\n  preset: torchvision\n  center_crop: 200\n  input_size: 224\n");
        At(e, 5, 15, "preprocessing.input_size");
        Assert.Contains("is 224×224 but the preprocessing produces 200×200 (the centre crop)", e.Message);

        e = Fails("architecture: resnet18\npreprocessing:\n  preset: torchvision\n  resize: 100\n");
        At(e, 3, 3, "preprocessing");
        Assert.Contains("centre crop 224×224 cannot fit an image whose shorter side is resized to 100", e.Message);

        e = Fails("architecture: resnet18\npreprocessing:\n  preset: torchvision\n  center_crop: none\n");
        At(e, 3, 3, "preprocessing");
        Assert.Contains("varying size", e.Message);

        e = Fails("architecture: alexnet\npreprocessing:\n  preset: torchvision\n  input_size: 16\n");
        At(e, 3, 3, "preprocessing");
        Assert.Contains("alexnet cannot take a 16×16 input", e.Message);
    }

    [Fact]
    public void Weights_errors_name_the_resolved_file_and_the_valid_extensions()
    {
        var e = Fails("architecture: resnet18\nweights: w/missing.safetensors\npreprocessing: {preset: torchvision}\n");
        At(e, 2, 10, "weights");
        Assert.Contains($"the weights file {Path.Combine(_dir.Path, "w", "missing.safetensors")} does not exist", e.Message);

        e = Fails("architecture: resnet18\nweights: model.bin\npreprocessing: {preset: torchvision}\n");
        At(e, 2, 10, "weights");
        Assert.Contains("valid extensions: .safetensors, .pth, .pt", e.Message);

        _dir.Write("w.pth", "");
        e = Fails("architecture: resnet18\nweights: w.pth\ninit_seed: 3\npreprocessing: {preset: torchvision}\n");
        At(e, 3, 12, "init_seed");
        Assert.Contains("init_seed only applies without weights", e.Message);

        e = Fails("architecture: resnet18\nstrip_prefix: module.\npreprocessing: {preset: torchvision}\n");
        At(e, 2, 15, "strip_prefix");

        // Without file checks a missing file is accepted (for inspecting configs on machines without the weights).
        Assert.NotNull(Load("architecture: resnet18\nweights: w/missing.safetensors\npreprocessing: {preset: torchvision}\n", checkFiles: false).Weights);
    }

    [Fact]
    public void Labels_must_match_the_number_of_classes()
    {
        _dir.Write("three.txt", "a\nb\nc\n");
        var e = Fails("architecture: resnet18\nnum_classes: 4\nlabels: three.txt\npreprocessing: {preset: torchvision}\n");
        At(e, 3, 9, "labels");
        Assert.Contains("has 3 class names but num_classes is 4", e.Message);

        e = Fails("architecture: resnet18\nnum_classes: 10\nlabels: imagenet\npreprocessing: {preset: torchvision}\n");
        At(e, 3, 9, "labels");
        Assert.Contains("the built-in imagenet list has 1000 names but num_classes is 10", e.Message);

        e = Fails("architecture: resnet18\nlabels: nowhere.txt\npreprocessing: {preset: torchvision}\n");
        Assert.Contains("valid: 'imagenet' (built-in names) or a text file", e.Message);

        _dir.Write("gap.txt", "a\n\nc\n");
        e = Fails("architecture: resnet18\nnum_classes: 3\nlabels: gap.txt\npreprocessing: {preset: torchvision}\n");
        Assert.Contains("line 2 is blank", e.Message);

        e = Fails("architecture: resnet18\nnum_classes: 0\npreprocessing: {preset: torchvision}\n");
        At(e, 2, 14, "num_classes");
        Assert.Contains("'0' is not valid; expected a positive number of classes", e.Message);
    }

    [Fact]
    public void An_unknown_target_layer_lists_near_misses()
    {
        var e = Fails("architecture: resnet18\ntarget_layer: layer5\npreprocessing: {preset: torchvision}\n");
        At(e, 2, 15, "target_layer");
        Assert.Contains("Unknown layer 'layer5'. Did you mean: layer1, layer2, layer3?", e.Message);
    }

    [Fact]
    public void Yaml_and_document_shape_errors()
    {
        var e = Fails("architecture: resnet18\npreprocessing: [unclosed\n");
        Assert.True(e.Line >= 2, e.Message);
        Assert.Contains("YAML syntax error", e.Message);
        Assert.DoesNotContain("(Line:", e.Message);

        // YamlDotNet's scanner gives up on this one without a position; the error points at the last token it read.
        e = Fails("architecture: [resnet18\npreprocessing: {preset: torchvision}\n");
        Assert.InRange(e.Line, 1, 2);
        Assert.Contains("an unclosed [ or {", e.Message);

        e = Fails("");
        Assert.Equal(0, e.Line);
        Assert.Contains("the file is empty", e.Message);

        e = Fails("- architecture: resnet18\n");
        At(e, 1, 1, null);
        Assert.Contains("a model config is a mapping", e.Message);

        e = Fails("architecture: resnet18\narchitecture: resnet34\npreprocessing: {preset: torchvision}\n");
        At(e, 2, 1, null);
        Assert.Contains("YAML syntax error: Duplicate key architecture", e.Message);

        e = Fails("architecture: [resnet18]\npreprocessing: {preset: torchvision}\n");
        At(e, 1, 15, "architecture");
        Assert.Contains("expected a single value, not a list of 1 items", e.Message);
    }

    [Fact]
    public void An_unset_variable_without_default_is_an_error_at_its_value()
    {
        string name = "EH_TEST_NEVER_SET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var e = Fails($"architecture: resnet18\nweights: ${{{name}}}/w.safetensors\npreprocessing: {{preset: torchvision}}\n");
        At(e, 2, 10, "weights");
        Assert.Contains($"the environment variable {name} is not set", e.Message);
        Assert.Contains($"${{{name}:-default}}", e.Message);
    }

    [Fact]
    public void A_missing_config_file_is_reported_by_name()
    {
        var path = _dir.File("absent.yaml");
        var e = Assert.ThrowsAny<Engine.EvalHarnessException>(() => ModelConfig.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("model config file not found", e.Message);
    }
}
