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
            "squeezenet1_0", "squeezenet1_1", "alexnet", "mobilenet_v2", "synthnet",
        ], ModelZoo.Architectures);
        Assert.Equal(ModelZoo.Architectures.Where(a => a != "synthnet"), ModelZoo.TorchvisionArchitectures);
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

public class SynthNetStructureTests
{
    [Fact]
    public void Is_four_conv_blocks_global_pooling_and_a_linear_head_with_16_last_maps()
    {
        var spec = ModelZoo.Get("SynthNet");
        Assert.Equal(("synthnet", "synthnet", "features.14", 64, false), (spec.Name, spec.Family, spec.DefaultTargetLayer, spec.InputSize, spec.Torchvision));
        var g = spec.Create(4);
        Assert.Equal(
            ["features.0", "features.1", "features.2", "features.3", "features.4", "features.5", "features.6", "features.7",
             "features.8", "features.9", "features.10", "features.11", "features.12", "features.13", "features.14", "avgpool", "flatten", "classifier"],
            g.Nodes.Select(n => n.Name));
        Assert.Equal(
            ["Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d", "Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d",
             "Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d", "Conv2d", "BatchNorm2d", "ReLU", "AdaptiveAvgPool2d", "Flatten", "Linear"],
            g.Nodes.Select(n => n.Layer.Kind));
        var shapes = g.InferShapes([2, 3, 64, 64]);
        Assert.Equal([2, 16, 8, 8], shapes[g.IndexOf("features.14")]);
        Assert.Equal([2, 4], shapes[^1]);
        // 3·16·9 + 16·32·9 + 32·32·9 + 32·16·9 (bias-free convolutions) + 2·(16+32+32+16) (BN affine) + 16·4 + 4
        Assert.Equal(18864 + 192 + 68, g.TrainableParameters().Sum(p => p.Parameter.Value.Length));
        Assert.True(g.IsCutPoint(g.IndexOf("features.14")));
        Assert.Equal(4, g.StateDict().Count(kv => kv.Key.EndsWith("running_var", StringComparison.Ordinal)));
    }
}
