using EvalHarness.Engine;

namespace EvalHarness.Models.Tests;

public class ModelZooTests
{
    [Fact]
    public void Lists_the_torchvision_builders()
    {
        Assert.Equal(
        [
            "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
            "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
            "squeezenet1_0", "squeezenet1_1", "alexnet", "mobilenet_v2",
        ], ModelZoo.Architectures);
    }

    [Fact]
    public void Names_are_case_insensitive()
    {
        Assert.Same(ModelZoo.Get("resnet18"), ModelZoo.Get("ResNet18"));
        Assert.True(ModelZoo.Contains("MOBILENET_V2"));
        Assert.Equal("resnet18", ModelZoo.Get("RESNET18").Name);
    }

    [Fact]
    public void Unknown_names_list_near_misses()
    {
        var ex = Assert.Throws<UnknownNameException>(() => ModelZoo.Create("resnet15"));
        Assert.Contains("Unknown architecture 'resnet15'", ex.Message);
        Assert.Contains("Did you mean:", ex.Message);
        Assert.Contains("resnet152", ex.Message);
        var ex2 = Assert.Throws<UnknownNameException>(() => ModelZoo.Get("squeezenet1.0"));
        Assert.Contains("squeezenet1_0", ex2.Message[..ex2.Message.IndexOf("Valid", StringComparison.Ordinal)]);
    }

    [Theory]
    [InlineData("vgg16", "vgg", "features.29")]
    [InlineData("vgg16_bn", "vgg", "features.42")]
    [InlineData("resnet50", "resnet", "layer4")]
    [InlineData("squeezenet1_0", "squeezenet", "features.12")]
    [InlineData("squeezenet1_1", "squeezenet", "features.12")]
    [InlineData("alexnet", "alexnet", "features.11")]
    [InlineData("mobilenet_v2", "mobilenet", "features.18")]
    public void Declares_family_target_layer_and_input_size(string arch, string family, string target)
    {
        var spec = ModelZoo.Get(arch);
        Assert.Equal(family, spec.Family);
        Assert.Equal(target, spec.DefaultTargetLayer);
        Assert.Equal(target, ModelZoo.DefaultTargetLayer(arch));
        Assert.Equal(224, ModelZoo.DefaultInputSize(arch));
    }
}
