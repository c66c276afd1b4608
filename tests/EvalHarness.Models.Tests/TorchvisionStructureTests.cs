using System.Text.Json;
using EvalHarness.Engine;
using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Models.Tests;

/// <summary>Every architecture against torchvision 0.14 (tests/fixtures/torchvision/state_dict_keys.json).</summary>
public class TorchvisionStructureTests
{
    // Nodes for torch functional calls, which are not modules and so have no forward hook in torchvision.
    private static readonly HashSet<string> FunctionalLocalNames = ["flatten", "add", "cat", "avgpool"];

    public static TheoryData<string> Architectures() => new(ModelZoo.TorchvisionArchitectures);

    [Fact]
    public void The_fixture_covers_exactly_the_registered_architectures()
    {
        Assert.Equal(TorchvisionReference.Instance.Architectures.Keys.Order(), ModelZoo.TorchvisionArchitectures.Order());
        Assert.Equal([1, 3, 224, 224], TorchvisionReference.Instance.InputShape);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Matches_torchvision(string arch)
    {
        var reference = TorchvisionReference.Instance.Architectures[arch];
        var graph = ModelZoo.Create(arch);

        // State dict: the same keys, shapes and order (num_batches_tracked is a torchvision-only training counter).
        var expectedKeys = reference.StateDict.Where(e => !e.Key.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
        var actualKeys = graph.StateDict().Select(kv => (kv.Key, kv.Value.Value.ShapeArray)).ToList();
        Assert.Equal(expectedKeys.Select(e => e.Key), actualKeys.Select(e => e.Key));
        for (int i = 0; i < expectedKeys.Count; i++)
            Assert.True(expectedKeys[i].Shape.SequenceEqual(actualKeys[i].ShapeArray),
                $"{arch} {expectedKeys[i].Key}: torchvision {ShapeUtil.Format(expectedKeys[i].Shape)}, ours {ShapeUtil.Format(actualKeys[i].ShapeArray)}");
        foreach (var (key, _) in reference.StateDict.Where(e => e.Key.EndsWith(".num_batches_tracked", StringComparison.Ordinal)))
            Assert.Equal("BatchNorm2d", graph.NodeOf(key[..key.LastIndexOf('.')]).Layer.Kind);
        Assert.Equal(expectedKeys.Count(k => k.Key.EndsWith("running_var", StringComparison.Ordinal)),
            graph.StateDict().Values.Count(p => p.IsBuffer) / 2);

        // Nodes: torchvision's leaf-module calls in call order, plus only the functional nodes.
        var calls = reference.NamedCalls();
        var leafCalls = calls.Where(c => reference.Leaves.ContainsKey(c.Module)).ToList();
        var moduleNodes = graph.Nodes.Where(n => reference.Leaves.ContainsKey(n.Name.Split('#')[0])).ToList();
        foreach (var node in graph.Nodes.Except(moduleNodes))
            Assert.True(IsFunctional(node), $"{arch}: node '{node.Name}' ({node.Layer}) is neither a torchvision module nor a functional call.");
        Assert.Equal(leafCalls.Select(c => c.Name), moduleNodes.Select(n => n.Name));
        for (int i = 0; i < leafCalls.Count; i++)
            Assert.True(leafCalls[i].Type == moduleNodes[i].Layer.Kind, $"{arch} {leafCalls[i].Name}: torchvision {leafCalls[i].Type}, ours {moduleNodes[i].Layer.Kind}");

        // Leaf configurations (kernel, stride, padding, ..., eps, p).
        foreach (var node in moduleNodes)
        {
            string module = node.Name.Split('#')[0];
            CheckConfiguration(arch, node, reference.Leaves[module]);
        }

        // Output shape of every module call, containers included ("layer4", "features.3" map to the module's real output).
        var shapes = graph.InferShapes(TorchvisionReference.Instance.InputShape);
        foreach (var (name, _, type, shape) in calls)
        {
            Assert.True(graph.Contains(name), $"{arch}: torchvision module '{name}' ({type}) is not a module of the graph.");
            var ours = shapes[graph.IndexOf(name)];
            Assert.True(shape.SequenceEqual(ours), $"{arch} {name} ({type}): torchvision {ShapeUtil.Format(shape)}, ours {ShapeUtil.Format(ours)}");
        }
        Assert.Equal(reference.Output, shapes[^1]);

        // Every container of the graph is a torchvision module.
        var torchModules = calls.Select(c => c.Module).ToHashSet();
        foreach (var name in graph.ModuleNames.Where(n => !graph.Nodes.Any(node => node.Name == n)))
            Assert.True(torchModules.Contains(name), $"{arch}: graph container '{name}' is not a torchvision module.");

        // The default CAM layer is a torchvision module whose output is a 7×7 feature map here (13×13 for SqueezeNet,
        // 6×6 for AlexNet, 14×14 for VGG's last ReLU before the final pool).
        var spec = ModelZoo.Get(arch);
        Assert.Equal(224, spec.InputSize);
        Assert.Contains(spec.DefaultTargetLayer, torchModules);
        var target = calls.Single(c => c.Name == spec.DefaultTargetLayer);
        Assert.Equal(target.Shape, shapes[graph.IndexOf(spec.DefaultTargetLayer)]);
        Assert.Equal(4, target.Shape.Length);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Any_number_of_classes(string arch)
    {
        var graph = ModelZoo.Create(arch, numClasses: 10);
        var shapes = graph.InferShapes([2, 3, 224, 224]);
        Assert.Equal([2, 10], shapes[^1]);
        var reference = TorchvisionReference.Instance.Architectures[arch].StateDict;
        var stateDict = graph.StateDict();
        // Only the classifier's last layer changes: its output dimension becomes 10.
        var changed = reference.Where(e => stateDict.TryGetValue(e.Key, out var p) && !p.Value.Shape.SequenceEqual(e.Shape)).ToList();
        Assert.Equal(2, changed.Count);
        foreach (var (key, shape) in changed)
        {
            Assert.Equal(1000, shape[0]);
            Assert.Equal(10, stateDict[key].Value.Dim(0));
        }
        Assert.Throws<EvalHarnessException>(() => ModelZoo.Create(arch, numClasses: 0));
    }

    [Theory]
    [InlineData("vgg11", "features.19")]
    [InlineData("vgg11_bn", "features.27")]
    [InlineData("vgg13", "features.23")]
    [InlineData("vgg13_bn", "features.33")]
    [InlineData("vgg16", "features.29")]
    [InlineData("vgg16_bn", "features.42")]
    [InlineData("vgg19", "features.35")]
    [InlineData("vgg19_bn", "features.51")]
    [InlineData("alexnet", "features.11")]
    // Indices checked against torchvision: max(i for i, m in enumerate(features) if isinstance(m, nn.ReLU)).
    public void Vgg_and_alexnet_target_the_last_relu_of_features(string arch, string layer)
    {
        Assert.Equal(layer, ModelZoo.DefaultTargetLayer(arch));
        var graph = ModelZoo.Create(arch);
        var features = graph.Nodes.Where(n => n.Name.StartsWith("features.", StringComparison.Ordinal)).ToList();
        Assert.Equal(layer, features.Last(n => n.Layer is ReLU).Name);
        Assert.IsType<MaxPool2d>(features[^1].Layer);
    }

    [Theory]
    [InlineData("resnet18", "layer4", "layer4.1.relu#1")]
    [InlineData("resnet50", "layer4", "layer4.2.relu#2")]
    [InlineData("resnet50", "layer2.0", "layer2.0.relu#2")]
    [InlineData("resnet50", "layer2.0.downsample", "layer2.0.downsample.1")]
    [InlineData("squeezenet1_0", "features.12", "features.12.cat")]
    [InlineData("squeezenet1_1", "features", "features.12.cat")]
    [InlineData("mobilenet_v2", "features.18", "features.18.2")]
    [InlineData("mobilenet_v2", "features.3", "features.3.add")]
    [InlineData("mobilenet_v2", "features.2", "features.2.conv.3")]
    [InlineData("mobilenet_v2", "features.1.conv", "features.1.conv.2")]
    public void Containers_map_to_their_real_output(string arch, string container, string node)
    {
        Assert.Equal(node, ModelZoo.Create(arch).NodeOf(container).Name);
    }

    [Fact]
    public void Residual_additions_read_the_block_branch_and_the_shortcut()
    {
        var graph = ModelZoo.Create("resnet50");
        var add = graph.NodeOf("layer2.0.add");
        Assert.IsType<Add>(add.Layer);
        Assert.Equal([graph.IndexOf("layer2.0.bn3"), graph.IndexOf("layer2.0.downsample.1")], add.Inputs);
        Assert.Equal([graph.IndexOf("layer1")], graph.NodeOf("layer2.0.downsample.0").Inputs);
        Assert.Equal([graph.IndexOf("layer1")], graph.NodeOf("layer2.0.conv1").Inputs);
        Assert.Equal([graph.IndexOf("layer1.2.bn3"), graph.IndexOf("layer1.1")], graph.NodeOf("layer1.2.add").Inputs);
        // The block's ReLU module runs three times; the same layer object serves every call.
        Assert.Same(graph.NodeOf("layer3.1.relu").Layer, graph.NodeOf("layer3.1.relu#2").Layer);
        Assert.True(graph.IsCutPoint(graph.IndexOf("layer4")));
        Assert.False(graph.IsCutPoint(graph.IndexOf("layer4.1.bn3")));

        var mobile = ModelZoo.Create("mobilenet_v2");
        Assert.Equal(10, mobile.Nodes.Count(n => n.Layer is Add));
        Assert.Equal([mobile.IndexOf("features.2"), mobile.IndexOf("features.3.conv")], mobile.NodeOf("features.3.add").Inputs);
        Assert.Equal([mobile.IndexOf("features")], mobile.NodeOf("avgpool").Inputs);

        var squeeze = ModelZoo.Create("squeezenet1_0");
        Assert.Equal([squeeze.IndexOf("features.3.expand1x1_activation"), squeeze.IndexOf("features.3.expand3x3_activation")],
            squeeze.NodeOf("features.3.cat").Inputs);
        Assert.Equal([squeeze.IndexOf("features.3.squeeze_activation")], squeeze.NodeOf("features.3.expand3x3").Inputs);
    }

    private static bool IsFunctional(Node node) =>
        FunctionalLocalNames.Contains(node.Name[(node.Name.LastIndexOf('.') + 1)..]) && node.Layer is Add or Concat or Flatten or AdaptiveAvgPool2d;

    private static void CheckConfiguration(string arch, Node node, JsonElement leaf)
    {
        string where = $"{arch} {node.Name}";
        int Int(string p) => leaf.GetProperty(p).GetInt32();
        bool Bool(string p) => leaf.GetProperty(p).GetBoolean();
        (int, int) Pair(string p) => (leaf.GetProperty(p)[0].GetInt32(), leaf.GetProperty(p)[1].GetInt32());
        switch (node.Layer)
        {
            case Conv2d c:
                Assert.True((Int("in_channels"), Int("out_channels"), Pair("kernel_size"), Pair("stride"), Pair("padding"), Pair("dilation"), Int("groups"), Bool("bias"))
                    == (c.InChannels, c.OutChannels, c.KernelSize, c.Stride, c.Padding, c.Dilation, c.Groups, c.Bias != null), $"{where}: {c} vs {leaf}");
                break;
            case MaxPool2d m:
                Assert.True((Int("kernel_size"), Int("stride"), Int("padding"), Int("dilation"), Bool("ceil_mode"))
                    == (m.KernelSize, m.Stride, m.Padding, m.Dilation, m.CeilMode), $"{where}: {m} vs {leaf}");
                break;
            case AdaptiveAvgPool2d a:
                Assert.True(Pair("output_size") == (a.OutputHeight, a.OutputWidth), $"{where}: {a} vs {leaf}");
                break;
            case BatchNorm2d b:
                Assert.Equal(Int("num_features"), b.Channels);
                Assert.Equal(leaf.GetProperty("eps").GetDouble(), b.Eps, 1e-9);
                break;
            case Linear l:
                Assert.True((Int("in_features"), Int("out_features"), Bool("bias")) == (l.InFeatures, l.OutFeatures, l.Bias != null), $"{where}: {l} vs {leaf}");
                break;
            case Dropout d:
                Assert.Equal(leaf.GetProperty("p").GetDouble(), d.P, 1e-6);
                break;
            case ReLU or ReLU6:
                break;
            default:
                Assert.Fail($"{where}: unexpected layer {node.Layer}");
                break;
        }
    }
}
