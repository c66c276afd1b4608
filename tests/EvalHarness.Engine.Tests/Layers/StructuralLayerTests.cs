using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Engine.Tests.Layers;

public class StructuralLayerTests
{
    [Fact]
    public void Flatten_keeps_the_values_and_routes_the_gradient_back()
    {
        var x = TestTensors.Uniform(1, [2, 3, 4, 5]);
        var flatten = new Flatten();
        var y = flatten.Forward([x]);
        Assert.Equal([2, 60], y.ShapeArray);
        GradCheck.Check(flatten, [x], a => a[0]);
        var g = flatten.Backward([x], y, TestTensors.Uniform(2, [2, 60]), [true], false)[0]!;
        Assert.Equal([2, 3, 4, 5], g.ShapeArray);
        Assert.Equal([2, 3, 20], new Flatten(2).OutputShape([[2, 3, 4, 5]]));
        Assert.Throws<ShapeException>(() => new Flatten(2).Forward([new Tensor(2, 3)]));
    }

    [Fact]
    public void Add_sums_and_sends_the_gradient_to_both_inputs()
    {
        var a = TestTensors.Uniform(1, [2, 3, 4, 5]);
        var b = TestTensors.Uniform(2, [2, 3, 4, 5]);
        GradCheck.Check(new Add(), [a, b], v => v[0].Zip(v[1], (p, q) => p + q).ToArray());
        var ex = Assert.Throws<ShapeException>(() => new Add().Forward([a, new Tensor(2, 3, 4, 4)]));
        Assert.Contains("[2×3×4×4]", ex.Message);
    }

    [Fact]
    public void Concat_stacks_channels_in_order()
    {
        var a = TestTensors.Uniform(1, [2, 2, 3, 4]);
        var b = TestTensors.Uniform(2, [2, 3, 3, 4]);
        var c = TestTensors.Uniform(3, [2, 1, 3, 4]);
        // torch.cat(xs, 1) by the definition: y[n, offset_k + ch, ...] = x_k[n, ch, ...]
        double[] Cat(double[][] v)
        {
            int[] channels = [2, 3, 1];
            var y = new double[2 * 6 * 12];
            for (int n = 0; n < 2; n++)
            {
                int offset = 0;
                for (int k = 0; k < 3; k++)
                {
                    for (int ch = 0; ch < channels[k]; ch++)
                        for (int i = 0; i < 12; i++)
                            y[(n * 6 + offset + ch) * 12 + i] = v[k][(n * channels[k] + ch) * 12 + i];
                    offset += channels[k];
                }
            }
            return y;
        }
        GradCheck.Check(new Concat(), [a, b, c], Cat);
        Assert.Equal([2, 6, 3, 4], new Concat().Forward([a, b, c]).ShapeArray);
        var ex = Assert.Throws<ShapeException>(() => new Concat().Forward([a, new Tensor(2, 2, 3, 5)]));
        Assert.Contains("[2×2×3×5]", ex.Message);
    }

    [Fact]
    public void Concat_of_feature_vectors()
    {
        var y = new Concat().Forward([Tensor.FromArray([1, 2, 3, 4], 2, 2), Tensor.FromArray([5, 6], 2, 1)]);
        Assert.Equal([1f, 2f, 5f, 3f, 4f, 6f], y.Data);
    }

    [Fact]
    public void Identity_passes_through()
    {
        var x = TestTensors.Uniform(1, [1, 2, 3, 3]);
        GradCheck.Check(new Identity(), [x], a => a[0]);
        Assert.Throws<ShapeException>(() => new Identity().Forward([x, x]));
    }
}
