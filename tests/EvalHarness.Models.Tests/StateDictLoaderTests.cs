using EvalHarness.Engine;
using EvalHarness.Engine.Io;
using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Models.Tests;

public sealed class StateDictLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-statedict-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // conv (3→4, 3×3) → bn → relu → flatten → fc (4·2·2 → 5): keys conv.weight, conv.bias, bn.{weight, bias, running_mean, running_var}, fc.weight, fc.bias.
    private static Graph Small()
    {
        var b = new GraphBuilder();
        b.Add("conv", new Conv2d(3, 4, 3), GraphBuilder.Input);
        b.Add("bn", new BatchNorm2d(4));
        b.Add("relu", new ReLU());
        b.Add("flatten", new Flatten());
        b.Add("fc", new Linear(16, 5));
        return b.Build();
    }

    private static Dictionary<string, Tensor> Values(Graph graph, ulong seed, string prefix = "") =>
        graph.StateDict().ToDictionary(kv => prefix + kv.Key, kv => DeterministicInit.Create(kv.Key, kv.Value.Value.ShapeArray, seed));

    [Fact]
    public void Loads_every_entry_and_ignores_num_batches_tracked()
    {
        var graph = Small();
        var values = Values(graph, 1);
        values["bn.num_batches_tracked"] = new Tensor([42f]);
        var result = StateDictLoader.Load(graph, values);
        Assert.Equal(graph.StateDict().Keys, result.Loaded);
        Assert.Equal(["bn.num_batches_tracked"], result.Ignored);
        Assert.Empty(result.Missing);
        Assert.Empty(result.Unexpected);
        foreach (var (name, p) in graph.StateDict())
        {
            Assert.Equal(values[name].Data, p.Value.Data);
            Assert.NotSame(values[name].Data, p.Value.Data); // copied: the graph owns its buffers
        }
    }

    [Fact]
    public void Strict_errors_list_every_missing_unexpected_and_misshaped_key()
    {
        var graph = Small();
        DeterministicInit.Apply(graph, 9);
        var before = graph.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Value.Clone());
        var values = Values(graph, 1);
        values.Remove("bn.running_var");
        values.Remove("fc.bias");
        values["bn.runing_var"] = values["bn.running_mean"];   // a typo
        values["extra.weight"] = new Tensor(2, 2);
        values["conv.weight"] = new Tensor(4, 3, 5, 5);         // wrong kernel size
        values["fc.weight"] = new Tensor(10, 16);               // wrong class count

        var ex = Assert.Throws<StateDictMismatchException>(() => StateDictLoader.Load(graph, values, source: "ckpt.safetensors"));
        Assert.Equal(["bn.running_var", "fc.bias"], ex.Missing);
        Assert.Equal(["bn.runing_var", "extra.weight"], ex.Unexpected.Order());
        Assert.Equal(["conv.weight", "fc.weight"], ex.WrongShape.Select(w => w.Key));
        Assert.StartsWith("ckpt.safetensors does not fit the model (8 parameters and buffers, strict load): 2 missing, 2 unexpected, 2 with the wrong shape.", ex.Message);
        Assert.Contains("Missing (the model has them, ckpt.safetensors does not): bn.running_var, fc.bias", ex.Message);
        Assert.Contains("bn.runing_var (did you mean bn.running_var", ex.Message);
        Assert.Contains("extra.weight", ex.Message);
        Assert.Contains("conv.weight (model [4×3×3×3], given [4×3×5×5])", ex.Message);
        Assert.Contains("fc.weight (model [5×16], given [10×16])", ex.Message);
        // Nothing was loaded.
        foreach (var (name, p) in graph.StateDict()) Assert.Equal(before[name].Data, p.Value.Data);
    }

    [Fact]
    public void Non_strict_loads_what_fits_and_reports_the_rest_but_never_accepts_a_wrong_shape()
    {
        var graph = Small();
        var values = Values(graph, 2);
        values.Remove("fc.bias");
        values["head.weight"] = new Tensor(1);
        var result = StateDictLoader.Load(graph, values, new StateDictLoadOptions { Strict = false });
        Assert.Equal(["fc.bias"], result.Missing);
        Assert.Equal(["head.weight"], result.Unexpected);
        Assert.Equal(7, result.Loaded.Count);
        Assert.Equal(values["fc.weight"].Data, graph.StateDict()["fc.weight"].Value.Data);
        Assert.All(graph.StateDict()["fc.bias"].Value.Data, v => Assert.Equal(0f, v)); // left as built

        values["fc.weight"] = new Tensor(1, 16);
        var ex = Assert.Throws<StateDictMismatchException>(() => StateDictLoader.Load(graph, values, new StateDictLoadOptions { Strict = false }));
        Assert.Contains("non-strict load): 1 with the wrong shape", ex.Message);
        Assert.DoesNotContain("head.weight", ex.Message);
        Assert.Empty(ex.Missing);
    }

    [Fact]
    public void A_prefix_can_be_stripped_and_is_suggested_when_it_is_not()
    {
        var graph = ModelZoo.Create("squeezenet1_1");
        var values = Values(graph, 3, prefix: "module.");
        var ex = Assert.Throws<StateDictMismatchException>(() => StateDictLoader.Load(graph, values));
        Assert.Equal(52, ex.Missing.Count);
        Assert.Equal(52, ex.Unexpected.Count);
        Assert.Contains("Hint: 52 unexpected key(s) match model keys once the prefix 'module.' is removed; load with StripPrefix = \"module.\".", ex.Message);
        Assert.Contains("module.features.0.weight (did you mean features.0.weight", ex.Message);

        var result = StateDictLoader.Load(graph, values, new StateDictLoadOptions { StripPrefix = "module." });
        Assert.Equal(52, result.Loaded.Count);
        Assert.Equal(values["module.classifier.1.bias"].Data, graph.StateDict()["classifier.1.bias"].Value.Data);
    }

    [Fact]
    public void Keys_that_collide_after_stripping_are_an_error()
    {
        var graph = Small();
        var values = Values(graph, 1);
        values["module.fc.bias"] = values["fc.bias"];
        var ex = Assert.Throws<EvalHarnessException>(() => StateDictLoader.Load(graph, values, new StateDictLoadOptions { StripPrefix = "module." }));
        Assert.Contains("keys 'fc.bias' and 'module.fc.bias' both become 'fc.bias' after removing the prefix 'module.'", ex.Message);
    }

    [Fact]
    public void Loads_a_safetensors_file_by_name_and_shape_from_its_header()
    {
        var graph = ModelZoo.Create("resnet18", numClasses: 7);
        var values = Values(graph, 4);
        values["bn1.num_batches_tracked"] = new Tensor([1f]);
        string path = Path.Combine(_dir, "resnet18.safetensors");
        SafeTensors.Save(path, values, new Dictionary<string, string> { ["arch"] = "resnet18" });

        var fresh = ModelZoo.Create("resnet18", numClasses: 7);
        var result = StateDictLoader.LoadFile(fresh, path);
        Assert.Equal(fresh.StateDict().Count, result.Loaded.Count);
        Assert.Equal(["bn1.num_batches_tracked"], result.Ignored);
        foreach (var (name, p) in fresh.StateDict())
            Assert.True(values[name].Data.AsSpan().SequenceEqual(p.Value.Data), name);

        var other = ModelZoo.Create("resnet18", numClasses: 1000);
        var ex = Assert.Throws<StateDictMismatchException>(() => StateDictLoader.LoadFile(other, path));
        Assert.StartsWith(path + " does not fit the model", ex.Message);
        Assert.Contains("fc.weight (model [1000×512], given [7×512]), fc.bias (model [1000], given [7])", ex.Message);
    }
}
