using EvalHarness.Engine;
using EvalHarness.Engine.Io;
using EvalHarness.Engine.Nn;
using EvalHarness.Models;
using EvalHarness.Models.Config;

namespace EvalHarness.Cli.Tests;

public sealed class ModelLoaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Without_weights_every_parameter_has_its_eh_init_value()
    {
        var config = ModelConfig.Parse("architecture: squeezenet1_1\ninit_seed: 17\nnum_classes: 4\npreprocessing: {preset: torchvision}\n", "inline", _dir.Path);
        var model = ModelLoader.Load(config);
        Assert.False(model.Pretrained);
        Assert.Equal(0, model.LoadedTensors);
        foreach (var (name, p) in model.Graph.StateDict())
            Assert.Equal(DeterministicInit.Create(name, p.Value.ShapeArray, 17).Data, p.Value.Data);
        Assert.Null(model.ClassNames);
        Assert.Equal("class 3", model.ClassName(3));
        Assert.Contains("out of range", Assert.ThrowsAny<EvalHarnessException>(() => model.ClassName(4)).Message);
    }

    [Fact]
    public void Safetensors_weights_load_strictly_after_stripping_a_prefix()
    {
        var source = ModelZoo.Create("squeezenet1_1", 3);
        DeterministicInit.Apply(source, 11);
        var path = _dir.File("w.safetensors");
        SafeTensors.Save(path, source.StateDict().Select(kv => KeyValuePair.Create("module." + kv.Key, kv.Value.Value)));
        _dir.Write("names.txt", "zero\none\ntwo\n");
        var yaml = _dir.Write("m.yaml", "architecture: squeezenet1_1\nweights: w.safetensors\nstrip_prefix: module.\nnum_classes: 3\nlabels: names.txt\npreprocessing: {preset: caffe}\n");

        var model = ModelLoader.Load(yaml);
        Assert.True(model.Pretrained);
        Assert.Equal(source.StateDict().Count, model.LoadedTensors);
        foreach (var (name, p) in model.Graph.StateDict())
            Assert.Equal(DeterministicInit.Create(name, p.Value.ShapeArray, 11).Data, p.Value.Data);
        Assert.Equal(["zero", "one", "two"], model.ClassNames);
        Assert.Equal("two", model.ClassName(2));

        // Without strip_prefix the strict load fails and names the file and the prefix to strip.
        var plain = _dir.Write("plain.yaml", "architecture: squeezenet1_1\nweights: w.safetensors\nnum_classes: 3\npreprocessing: {preset: caffe}\n");
        var e = Assert.Throws<StateDictMismatchException>(() => ModelLoader.Load(plain));
        Assert.Contains(path, e.Message);
        Assert.Contains("StripPrefix = \"module.\"", e.Message);
    }

    [Fact]
    public void The_builtin_imagenet_names_follow_torchvision_class_order()
    {
        var names = ClassLabels.ImageNet;
        Assert.Equal(1000, names.Count);
        Assert.Equal("tench", names[0]);
        Assert.Equal("goldfish", names[1]);
        Assert.Equal("crane bird", names[134]);   // torchvision disambiguates the two "crane" synsets
        Assert.Equal("tabby", names[281]);
        Assert.Equal("crane", names[517]);
        Assert.Equal("toilet tissue", names[999]);
        Assert.All(names, n => Assert.False(string.IsNullOrWhiteSpace(n)));
    }
}
