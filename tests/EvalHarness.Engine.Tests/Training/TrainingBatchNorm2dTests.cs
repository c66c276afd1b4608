using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;
using EvalHarness.Engine.Nn.Training;
using EvalHarness.Engine.Tests.Layers;
using EvalHarness.Tests.Common;

namespace EvalHarness.Engine.Tests.Training;

public class TrainingBatchNorm2dTests
{
    private static BatchNorm2d Bn(int channels, int seed)
    {
        var bn = new BatchNorm2d(channels);
        TestTensors.Fill(bn.Weight.Value, seed, 0.5f, 1.5f);
        TestTensors.Fill(bn.Bias.Value, seed + 1);
        TestTensors.Fill(bn.RunningMean.Value, seed + 2);
        TestTensors.Fill(bn.RunningVar.Value, seed + 3, 0.5f, 2f);
        return bn;
    }

    /// <summary>Batch normalisation with batch statistics, written out in double from the definition.</summary>
    private static double[] Reference(double[] x, double[] weight, double[] bias, int n, int c, int plane, double eps)
    {
        var y = new double[x.Length];
        for (int k = 0; k < c; k++)
        {
            var values = new List<double>();
            for (int b = 0; b < n; b++)
                for (int i = 0; i < plane; i++) values.Add(x[(b * c + k) * plane + i]);
            double mean = values.Average(), variance = values.Average(v => (v - mean) * (v - mean));
            for (int b = 0; b < n; b++)
                for (int i = 0; i < plane; i++)
                {
                    int o = (b * c + k) * plane + i;
                    y[o] = (x[o] - mean) / Math.Sqrt(variance + eps) * weight[k] + bias[k];
                }
        }
        return y;
    }

    [Theory]
    [InlineData(4, 3, 5, 5)]
    [InlineData(2, 2, 1, 3)]
    [InlineData(7, 1, 2, 2)]
    public void Backward_matches_finite_differences_of_the_batch_statistics_forward(int n, int c, int h, int w)
    {
        var layer = new TrainingBatchNorm2d(Bn(c, 3));
        var x = TestTensors.Uniform(11, [n, c, h, w], -2f, 3f);
        GradCheck.Check(layer, [x], a => Reference(a[0], a[1], a[2], n, c, h * w, layer.Inference.Eps), tolerance: 2e-4);
    }

    [Fact]
    public void Running_statistics_move_by_the_momentum_towards_the_unbiased_batch_statistics()
    {
        var bn = Bn(2, 5);
        var mean0 = bn.RunningMean.Value.Data.ToArray();
        var var0 = bn.RunningVar.Value.Data.ToArray();
        var x = TestTensors.Uniform(2, [3, 2, 2, 2], -1f, 4f);
        new TrainingBatchNorm2d(bn, 0.25f).Forward([x]);
        for (int k = 0; k < 2; k++)
        {
            var v = Enumerable.Range(0, 3).SelectMany(b => x.Data.Skip((b * 2 + k) * 4).Take(4)).Select(f => (double)f).ToArray();
            double mean = v.Average(), unbiased = v.Sum(a => (a - mean) * (a - mean)) / (v.Length - 1);
            Assert.Equal(0.75 * mean0[k] + 0.25 * mean, bn.RunningMean.Value.Data[k], 5);
            Assert.Equal(0.75 * var0[k] + 0.25 * unbiased, bn.RunningVar.Value.Data[k], 5);
        }
    }

    [Fact]
    public void A_single_value_per_channel_is_rejected_as_torch_does()
    {
        var ex = Assert.Throws<ShapeException>(() => new TrainingBatchNorm2d(new BatchNorm2d(2)).Forward([new Tensor(1, 2, 1, 1)]));
        Assert.Contains("more than one value per channel", ex.Message);
    }

    [Fact]
    public void Matches_torch_batch_norm_in_training_mode()
    {
        string dir = TestPaths.Fixture("training", "batchnorm_train");
        Tensor Load(string f) => NpyReader.Read(Path.Combine(dir, f + ".npy")).ToTensor();
        var bn = new BatchNorm2d(5);
        bn.Weight.Load(Load("weight"), "weight");
        bn.Bias.Load(Load("bias"), "bias");
        bn.RunningMean.Load(Load("running_mean"), "running_mean");
        bn.RunningVar.Load(Load("running_var"), "running_var");
        var layer = new TrainingBatchNorm2d(bn);
        var x = Load("x");
        var y = layer.Forward([x]);
        TestTensors.AssertClose(Load("y").Data, y.Data, 1e-5, "y");
        TestTensors.AssertClose(Load("running_mean_after").Data, bn.RunningMean.Value.Data, 1e-6, "running_mean");
        TestTensors.AssertClose(Load("running_var_after").Data, bn.RunningVar.Value.Data, 1e-6, "running_var");
        var gx = layer.Backward([x], y, Load("r"), [true], parameterGradients: true)[0]!;
        TestTensors.AssertClose(Load("gx").Data, gx.Data, 1e-5, "gx");
        TestTensors.AssertClose(Load("grad_weight").Data, bn.Weight.Grad!.Data, 1e-5, "grad weight");
        TestTensors.AssertClose(Load("grad_bias").Data, bn.Bias.Grad!.Data, 1e-5, "grad bias");
    }

    [Fact]
    public void The_training_graph_shares_parameters_and_swaps_only_batch_norms()
    {
        var b = new GraphBuilder();
        using (b.Scope("features"))
        {
            b.Add("0", new Conv2d(2, 3, 3, padding: 1), GraphBuilder.Input);
            b.Add("1", new BatchNorm2d(3));
            b.Add("2", new ReLU());
        }
        var eval = b.Build();
        var train = TrainingGraph.Create(eval);
        Assert.Equal(eval.Nodes.Select(n => n.Name), train.Nodes.Select(n => n.Name));
        Assert.Same(eval.Nodes[0].Layer, train.Nodes[0].Layer);
        Assert.Same(((BatchNorm2d)eval.Nodes[1].Layer).Weight, ((TrainingBatchNorm2d)train.Nodes[1].Layer).Inference.Weight);
        Assert.Equal(eval.StateDict().Keys, train.StateDict().Keys);
        foreach (var (k, p) in eval.StateDict()) Assert.Same(p, train.StateDict()[k]);
        // Training output is normalised per batch: every channel has mean ≈ bias (0) after the batch norm.
        var x = TestTensors.Uniform(4, [4, 2, 5, 5], 1f, 3f);
        var bn = train.ForwardTo(x, "features.1", recordForBackward: false).Output;
        for (int k = 0; k < 3; k++)
            Assert.Equal(0, Enumerable.Range(0, 4).SelectMany(n => bn.Data.Skip((n * 3 + k) * 25).Take(25)).Average(v => (double)v), 5);
    }
}
