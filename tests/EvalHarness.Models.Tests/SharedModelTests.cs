using EvalHarness.Tests.Common;
using EvalHarness.Engine.Io;
using EvalHarness.Engine.Nn;

namespace EvalHarness.Models.Tests;

public class SharedModelTests
{
    [SkippableFact]
    public void The_shared_squeezenet1_0_loads_strictly()
    {
        var shared = TestPaths.Shared;
        string? path = shared == null ? null : Path.Combine(shared, "models", "squeezenet1_0-dc.safetensors");
        Skip.If(path == null || !File.Exists(path),
            "The shared SqueezeNet file (shared/models/squeezenet1_0-dc.safetensors) is absent; set EVALHARNESS_SHARED to the shared directory to run this test.");

        var graph = ModelZoo.Create("squeezenet1_0");
        var result = StateDictLoader.LoadFile(graph, path!);
        Assert.Equal(52, result.Loaded.Count);
        Assert.Empty(result.Ignored);

        using var file = SafeTensors.Open(path!);
        Assert.Equal("squeezenet1_0", file.Metadata["architecture"]);
        var weight = graph.StateDict()["features.0.weight"].Value;
        Assert.Equal([96, 3, 7, 7], weight.ShapeArray);
        Assert.All(weight.Data, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(weight.Data, v => v != 0f);
        Assert.Equal(file.Read("classifier.1.bias").Data, graph.StateDict()["classifier.1.bias"].Value.Data);
    }
}
