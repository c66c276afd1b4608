using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Engine.Tests.Layers;

public class BatchNorm2dTests
{
    private static BatchNorm2d Make(int channels, float eps, int seed)
    {
        var bn = new BatchNorm2d(channels, eps);
        TestTensors.Fill(bn.Weight.Value, seed, -2f, 2f);
        TestTensors.Fill(bn.Bias.Value, seed + 1);
        TestTensors.Fill(bn.RunningMean.Value, seed + 2, -3f, 3f);
        TestTensors.Fill(bn.RunningVar.Value, seed + 3, 0.05f, 4f);
        return bn;
    }

    private static Func<double[][], double[]> ReferenceOf(BatchNorm2d bn, int n, int plane) => a =>
        Reference.BatchNorm2d(a[0], n, bn.Channels, plane, a[1], a[2],
            TestTensors.ToDouble(bn.RunningMean.Value), TestTensors.ToDouble(bn.RunningVar.Value), bn.Eps);

    [Theory]
    [InlineData(2, 4, 5, 6, 1e-5f)]
    [InlineData(1, 3, 1, 1, 1e-3f)]
    [InlineData(3, 1, 7, 3, 0.1f)]
    public void Forward_and_gradients_match_the_definition(int n, int c, int h, int w, float eps)
    {
        var bn = Make(c, eps, 3);
        var x = TestTensors.Uniform(5, [n, c, h, w], -4f, 4f);
        GradCheck.Check(bn, [x], ReferenceOf(bn, n, h * w));
    }

    [Fact]
    public void Large_input_takes_the_parallel_path()
    {
        var bn = Make(32, 1e-5f, 1);
        var x = TestTensors.Uniform(5, [2, 32, 48, 48]);
        Assert.True(x.Length >= LayerParallel.MinParallelWork);
        var y = bn.Forward([x]);
        TestTensors.AssertClose(ReferenceOf(bn, 2, 48 * 48)([TestTensors.ToDouble(x), TestTensors.ToDouble(bn.Weight.Value), TestTensors.ToDouble(bn.Bias.Value)]), y.Data, 1e-5, "forward");
        var r = TestTensors.Uniform(6, y.ShapeArray);
        var gx = bn.Backward([x], y, r, [true], true)[0]!;
        for (int c = 0; c < 32; c++)
        {
            double invStd = 1 / Math.Sqrt(bn.RunningVar.Value.Data[c] + 1e-5);
            double gw = 0, gb = 0;
            for (int b = 0; b < 2; b++)
            for (int i = 0; i < 48 * 48; i++)
            {
                int at = (b * 32 + c) * 48 * 48 + i;
                Assert.Equal(r.Data[at] * bn.Weight.Value.Data[c] * invStd, gx.Data[at], 1e-5);
                gw += r.Data[at] * (x.Data[at] - bn.RunningMean.Value.Data[c]) * invStd;
                gb += r.Data[at];
            }
            Assert.Equal(gw, bn.Weight.Grad!.Data[c], 1e-3);
            Assert.Equal(gb, bn.Bias.Grad!.Data[c], 1e-3);
        }
    }

    [Fact]
    public void Hand_derived_value()
    {
        // (3 − 1)/sqrt(3 + 1)·2 + 0.5 = 2.5
        var bn = new BatchNorm2d(1, eps: 1f);
        bn.Weight.Value.Data[0] = 2f;
        bn.Bias.Value.Data[0] = 0.5f;
        bn.RunningMean.Value.Data[0] = 1f;
        bn.RunningVar.Value.Data[0] = 3f;
        var x = Tensor.FromArray([3f], 1, 1, 1, 1);
        var y = bn.Forward([x]);
        Assert.Equal(2.5f, y.Data[0], 6);
        var gx = bn.Backward([x], y, Tensor.FromArray([1f], 1, 1, 1, 1), [true], true)[0]!;
        Assert.Equal(1f, gx.Data[0], 6);                  // weight / sqrt(var + eps)
        Assert.Equal(1f, bn.Weight.Grad!.Data[0], 6);     // (x − mean)/sqrt(var + eps)
        Assert.Equal(1f, bn.Bias.Grad!.Data[0], 6);
        Assert.Null(bn.RunningMean.Grad);
    }

    [Fact]
    public void Wrong_channels_name_the_layer_and_shape()
    {
        var bn = new BatchNorm2d(8);
        var ex = Assert.Throws<ShapeException>(() => bn.Forward([new Tensor(1, 4, 2, 2)]));
        Assert.Contains("BatchNorm2d(8", ex.Message);
        Assert.Contains("expects 8 channels, got 4", ex.Message);
        Assert.Contains("[1×4×2×2]", ex.Message);
        ex = Assert.Throws<ShapeException>(() => bn.Forward([new Tensor(1, 8)]));
        Assert.Contains("[1×8]", ex.Message);
    }
    [Fact]
    public void One_pass_scale_and_shift_rounds_as_a_multiply_then_an_add()
    {
        var rng = new Random(11);
        foreach (int length in new[] { 1, 7, 16, 49, 196, 3137 })
        {
            var x = new float[length];
            for (int i = 0; i < length; i++) x[i] = (float)(rng.NextDouble() * 20 - 10);
            for (int t = 0; t < 20; t++)
            {
                float scale = (float)(rng.NextDouble() * 4 - 2), shift = (float)(rng.NextDouble() * 2 - 1);
                var expected = new float[length];
                System.Numerics.Tensors.TensorPrimitives.Multiply(x, scale, expected);
                System.Numerics.Tensors.TensorPrimitives.Add(expected, shift, expected);
                var actual = new float[length];
                BatchNorm2d.ScaleShift(x, scale, shift, actual);
                Assert.Equal(expected, actual); // bit for bit: an FMA would round once and differ
                var inPlace = (float[])x.Clone();
                BatchNorm2d.ScaleShift(inPlace, scale, shift, inPlace);
                Assert.Equal(expected, inPlace);
            }
        }
    }
}
