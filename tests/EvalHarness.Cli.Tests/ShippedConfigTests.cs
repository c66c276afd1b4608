using EvalHarness.Engine.Imaging;
using EvalHarness.Models;
using EvalHarness.Models.Config;
using EvalHarness.Tests.Common;

namespace EvalHarness.Cli.Tests;

/// <summary>The configs in configs/models: one per architecture, torchvision's evaluation preprocessing.</summary>
public class ShippedConfigTests
{
    private static string ConfigPath(string name) => Path.Combine(TestPaths.RepoRoot, "configs", "models", name + ".yaml");

    public static TheoryData<string> Architectures() => new(ModelZoo.Architectures);

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Every_architecture_has_a_torchvision_config(string arch)
    {
        var c = ModelConfig.Load(ConfigPath(arch), checkFiles: false);
        Assert.Equal(arch, c.Architecture);
        Assert.Equal(arch, c.Name);
        Assert.Equal(Path.Combine(TestPaths.RepoRoot, "datasets", "weights", arch + ".safetensors"), c.Weights);
        Assert.Equal(ModelConfig.ImageNetLabels, c.Labels);
        Assert.Equal(1000, c.NumClasses);
        Assert.Equal(Preprocessing.Torchvision(256, 224), c.Preprocessing);
        Assert.Equal("torchvision", c.PreprocessingPreset);
        Assert.Equal(ModelZoo.DefaultTargetLayer(arch), c.TargetLayer);
    }

    [Fact]
    public void The_shared_squeezenet_config_uses_caffe_preprocessing_and_the_shared_folder()
    {
        var c = ModelConfig.Load(ConfigPath("squeezenet1_0-dc"), checkFiles: false);
        Assert.Equal("squeezenet1_0", c.Architecture);
        Assert.Equal("squeezenet1_0-dc", c.Name);
        Assert.Equal(Preprocessing.Caffe(227), c.Preprocessing);
        Assert.Equal((227, 227), c.InputSize);
        Assert.Equal("features.12", c.ResolvedTargetLayer);
        var env = Environment.GetEnvironmentVariable("EVALHARNESS_SHARED");
        string shared = string.IsNullOrEmpty(env) ? Path.Combine(TestPaths.RepoRoot, "..", "shared") : env;
        Assert.Equal(Path.GetFullPath(Path.Combine(shared, "models", "squeezenet1_0-dc.safetensors")), c.Weights);
    }
}
