using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Engine.Tests.Layers;

public class AdaptiveAvgPool2dTests
{
    [Theory]
    // n, c, h, w, oh, ow
    [InlineData(2, 3, 7, 11, 3, 5)]
    [InlineData(1, 2, 3, 3, 5, 4)]    // output larger than the input: cells overlap
    [InlineData(2, 4, 5, 6, 1, 1)]    // global
    [InlineData(1, 2, 6, 6, 6, 6)]    // identity
    [InlineData(1, 3, 13, 9, 7, 7)]   // windows of varying size
    [InlineData(1, 1, 1, 1, 2, 3)]    // a single pixel spread out
    public void Forward_and_gradients_match_the_definition(int n, int c, int h, int w, int oh, int ow)
    {
        var pool = new AdaptiveAvgPool2d(oh, ow);
        var x = TestTensors.Uniform(41, [n, c, h, w]);
        GradCheck.Check(pool, [x], a => Reference.AdaptiveAvgPool2d(a[0], n * c, h, w, oh, ow));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 7)]
    public void Large_input_takes_the_parallel_path(int oh, int ow)
    {
        var pool = new AdaptiveAvgPool2d(oh, ow);
        var x = TestTensors.Uniform(4, [2, 64, 33, 35]);
        Assert.True(2L * 64 * 33 * 35 >= LayerParallel.MinParallelWork);
        PlaneByPlane.AssertSameAsSinglePlanes(pool, x, 5);
    }

    [Fact]
    public void Hand_derived_upsampling()
    {
        // [[1,2],[3,4]] → 3×3: rows {0}, {0,1}, {1} and the same for columns
        var y = new AdaptiveAvgPool2d(3).Forward([Tensor.FromArray([1, 2, 3, 4], 1, 1, 2, 2)]);
        Assert.Equal([1f, 1.5f, 2f, 2f, 2.5f, 3f, 3f, 3.5f, 4f], y.Data);
    }

    [Fact]
    public void Bad_input_names_the_layer_and_shape()
    {
        var ex = Assert.Throws<ShapeException>(() => new AdaptiveAvgPool2d(7).Forward([new Tensor(1, 512)]));
        Assert.Contains("AdaptiveAvgPool2d((7, 7))", ex.Message);
        Assert.Contains("[1×512]", ex.Message);
    }
}
