using System.Text.Json;
using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Layers;
using Xunit.Abstractions;

namespace EvalHarness.Engine.Tests.Layers;

/// <summary>
/// Compares every layer with PyTorch 1.13 on the cases written by tests/fixtures/gen_layers.py
/// (inputs, parameters, output, and the gradients of sum(r ⊙ y) w.r.t. inputs and parameters).
/// </summary>
public class PyTorchFixtureTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    public static readonly string[] Cases =
    [
        "conv_basic", "conv_strided_dilated", "conv_groups_nobias", "conv_depthwise", "conv_depthwise_multiplier",
        "conv_pointwise", "conv_pointwise_groups", "conv_1x1_stride2",
        "maxpool_ceil", "maxpool_pad_dilation", "maxpool_pad_ceil", "maxpool_ties",
        "avgpool_plain", "avgpool_ceil_pad_include", "avgpool_ceil_pad_exclude", "avgpool_ceil_overhang",
        "adaptive_down", "adaptive_up", "adaptive_global",
        "batchnorm", "linear", "relu", "relu6", "dropout", "flatten", "add", "concat", "softmax", "logsoftmax",
    ];

    public static TheoryData<string> LayerCases => new(Cases);

    internal static string FixtureRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "fixtures", "layers");
                if (Directory.Exists(candidate)) return candidate;
            }
            throw new DirectoryNotFoundException($"tests/fixtures/layers was not found above {AppContext.BaseDirectory}.");
        }
    }

    private static Layer Build(JsonElement c)
    {
        int I(string name) => c.GetProperty(name).GetInt32();
        bool B(string name) => c.GetProperty(name).GetBoolean();
        (int, int) P(string name) => (c.GetProperty(name)[0].GetInt32(), c.GetProperty(name)[1].GetInt32());
        return c.GetProperty("layer").GetString() switch
        {
            "Conv2d" => new Conv2d(I("in_channels"), I("out_channels"), P("kernel_size"), P("stride"), P("padding"), P("dilation"), I("groups"), B("bias")),
            "MaxPool2d" => new MaxPool2d(I("kernel_size"), I("stride"), I("padding"), I("dilation"), B("ceil_mode")),
            "AvgPool2d" => new AvgPool2d(I("kernel_size"), I("stride"), I("padding"), B("ceil_mode"), B("count_include_pad")),
            "AdaptiveAvgPool2d" => new AdaptiveAvgPool2d(c.GetProperty("output_size")[0].GetInt32(), c.GetProperty("output_size")[1].GetInt32()),
            "BatchNorm2d" => new BatchNorm2d(I("num_features"), (float)c.GetProperty("eps").GetDouble()),
            "Linear" => new Linear(I("in_features"), I("out_features"), B("bias")),
            "ReLU" => new ReLU(),
            "ReLU6" => new ReLU6(),
            "Dropout" => new Dropout((float)c.GetProperty("p").GetDouble()),
            "Flatten" => new Flatten(),
            "Add" => new Add(),
            "Concat" => new Concat(),
            "Softmax" => new Softmax(),
            "LogSoftmax" => new LogSoftmax(),
            var other => throw new InvalidDataException($"Unknown layer '{other}' in a fixture."),
        };
    }

    [Theory]
    [MemberData(nameof(LayerCases))]
    public void Layer_matches_PyTorch(string name)
    {
        string dir = Path.Combine(FixtureRoot, name);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "config.json")));
        var layer = Build(config.RootElement);
        Tensor Load(string file) => NpyReader.Read(Path.Combine(dir, file + ".npy")).ToTensor();

        foreach (var (pname, p) in layer.Parameters())
        {
            p.Load(Load("param_" + pname), pname);
            p.Grad = null;
        }
        var inputs = new List<Tensor>();
        for (int i = 0; File.Exists(Path.Combine(dir, $"x{i}.npy")); i++) inputs.Add(Load($"x{i}"));
        Assert.Equal(layer.Arity < 0 ? inputs.Count : layer.Arity, inputs.Count);

        var y = layer.Forward(inputs);
        var expectedY = Load("y");
        Assert.Equal(expectedY.ShapeArray, y.ShapeArray);
        var worst = new List<(string, double, double)> { ("y", TestTensors.AssertClose(expectedY.Data, y.Data, Tolerance, $"{name} y"), TestTensors.ElementwiseRelative(expectedY.Data, y.Data)) };

        var grads = layer.Backward(inputs, y, Load("r"), inputs.Select(_ => true).ToArray(), parameterGradients: true);
        for (int i = 0; i < inputs.Count; i++)
        {
            var expected = Load($"gx{i}");
            Assert.Equal(expected.ShapeArray, grads[i]!.ShapeArray);
            worst.Add(($"gx{i}", TestTensors.AssertClose(expected.Data, grads[i]!.Data, Tolerance, $"{name} gx{i}"), TestTensors.ElementwiseRelative(expected.Data, grads[i]!.Data)));
        }
        foreach (var (pname, p) in layer.Parameters())
        {
            string file = Path.Combine(dir, $"grad_{pname}.npy");
            if (p.IsBuffer)
            {
                Assert.False(File.Exists(file));
                Assert.Null(p.Grad);
                continue;
            }
            Assert.True(p.Grad != null, $"{name}: no gradient for {pname}");
            var expectedGrad = Load($"grad_{pname}");
            worst.Add(($"grad_{pname}", TestTensors.AssertClose(expectedGrad.Data, p.Grad!.Data, Tolerance, $"{name} grad {pname}"),
                TestTensors.ElementwiseRelative(expectedGrad.Data, p.Grad!.Data)));
        }
        output.WriteLine($"{name} (GEMM {EvalHarness.Engine.Gemm.GemmProvider.Current.Name}): worst error relative to |e| + max|e| (elementwise |a−e|/|e|): " +
            string.Join(", ", worst.Select(w => $"{w.Item1} {w.Item2:E1} ({w.Item3:E1})")));
    }

    [Fact]
    public void Cross_entropy_matches_PyTorch()
    {
        string dir = Path.Combine(FixtureRoot, "cross_entropy");
        var logits = NpyReader.Read(Path.Combine(dir, "x0.npy")).ToTensor();
        var targets = NpyReader.Read(Path.Combine(dir, "targets.npy")).Int64s().Select(t => (int)t).ToArray();
        float expectedLoss = NpyReader.Read(Path.Combine(dir, "loss.npy")).Floats()[0];
        var (loss, grad) = CrossEntropyLoss.Compute(logits, targets);
        double lossError = Math.Abs(loss - expectedLoss) / Math.Abs(expectedLoss);
        Assert.True(lossError <= Tolerance, $"loss {loss} vs PyTorch {expectedLoss}");
        double gradError = TestTensors.AssertClose(NpyReader.Read(Path.Combine(dir, "gx0.npy")).Floats(), grad.Data, Tolerance, "cross entropy gradient");
        output.WriteLine($"cross_entropy: worst relative error loss {lossError:E2}, gx0 {gradError:E2}");
    }

    [Fact]
    public void Every_fixture_directory_is_tested()
    {
        var onDisk = Directory.GetDirectories(FixtureRoot).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(Cases.Append("cross_entropy").Order().ToArray(), onDisk);
    }
}
