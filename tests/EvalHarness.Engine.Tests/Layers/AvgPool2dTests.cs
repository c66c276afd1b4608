using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Engine.Tests.Layers;

public class AvgPool2dTests
{
    private static Func<double[][], double[]> ReferenceOf(AvgPool2d m, int planes, int h, int w) => a =>
        Reference.AvgPool2d(a[0], planes, h, w, m.KernelSize, m.Stride, m.Padding, m.CeilMode, m.CountIncludePad, out _, out _);

    [Theory]
    // n, c, h, w, kernel, stride, padding, ceil, count_include_pad
    [InlineData(2, 3, 7, 9, 2, 2, 0, false, true)]
    [InlineData(1, 2, 7, 9, 2, 2, 0, true, true)]     // ceil window hangs over the edge: only real pixels count
    [InlineData(1, 3, 8, 9, 3, 2, 1, false, true)]
    [InlineData(1, 3, 8, 9, 3, 2, 1, false, false)]
    [InlineData(1, 3, 8, 9, 3, 2, 1, true, true)]     // hangs over the padded edge: counted up to it
    [InlineData(1, 3, 8, 9, 3, 2, 1, true, false)]
    [InlineData(2, 2, 6, 5, 3, 1, 1, false, true)]    // overlapping windows
    [InlineData(1, 2, 10, 11, 4, 3, 2, true, true)]
    [InlineData(1, 2, 10, 11, 4, 3, 2, true, false)]
    [InlineData(1, 1, 2, 2, 3, 2, 0, true, true)]     // window larger than the input
    public void Forward_and_gradients_match_the_definition(int n, int c, int h, int w, int k, int s, int p, bool ceil, bool includePad)
    {
        var pool = new AvgPool2d(k, s, p, ceil, includePad);
        var x = TestTensors.Uniform(31, [n, c, h, w]);
        Reference.AvgPool2d(TestTensors.ToDouble(x), n * c, h, w, k, s, p, ceil, includePad, out int oh, out int ow);
        Assert.Equal([n, c, oh, ow], pool.OutputShape([x.ShapeArray]));
        GradCheck.Check(pool, [x], ReferenceOf(pool, n * c, h, w));
    }

    [Fact]
    public void Large_input_takes_the_parallel_path()
    {
        var pool = new AvgPool2d(3, 1, 1, countIncludePad: false);
        var x = TestTensors.Uniform(4, [2, 8, 48, 50]);
        Assert.True(2L * 8 * 48 * 50 * 9 >= LayerParallel.MinParallelWork);
        PlaneByPlane.AssertSameAsSinglePlanes(pool, x, 5);
    }

    [Fact]
    public void Divisors_on_a_plane_of_ones_follow_PyTorch()
    {
        // PyTorch 1.13: nn.AvgPool2d(3, 2, 1, ceil_mode=True)(torch.ones(1, 1, 4, 4)) — the last window
        // starts at row 3, covers rows 3..5, and 5 is beyond the padded edge (rows −1..4) so it is not counted.
        var x = Tensor.Full(1f, 1, 1, 4, 4);
        var include = new AvgPool2d(3, 2, 1, ceilMode: true).Forward([x]);
        Assert.Equal([1, 1, 3, 3], include.ShapeArray);
        float[] expected = [4f / 9, 6f / 9, 2f / 6, 6f / 9, 1f, 3f / 6, 2f / 6, 3f / 6, 1f / 4];
        for (int i = 0; i < 9; i++) Assert.Equal(expected[i], include.Data[i], 6);
        var exclude = new AvgPool2d(3, 2, 1, ceilMode: true, countIncludePad: false).Forward([x]);
        Assert.All(exclude.Data, v => Assert.Equal(1f, v, 6));
        // Without padding, the part of a ceil-mode window beyond the image does not count either.
        var overhang = new AvgPool2d(2, 2, ceilMode: true).Forward([Tensor.Full(1f, 1, 1, 3, 3)]);
        Assert.Equal([1f, 1f, 1f, 1f], overhang.Data);
    }

    [Fact]
    public void Hand_derived_gradient_spreads_evenly()
    {
        var pool = new AvgPool2d(2);
        var x = Tensor.FromArray([1, 2, 3, 4], 1, 1, 2, 2);
        var y = pool.Forward([x]);
        Assert.Equal([2.5f], y.Data);
        var g = pool.Backward([x], y, Tensor.FromArray([8f], 1, 1, 1, 1), [true], false)[0]!;
        Assert.Equal([2f, 2f, 2f, 2f], g.Data);
    }

    [Fact]
    public void Bad_input_names_the_layer_and_shape()
    {
        var pool = new AvgPool2d(2);
        var ex = Assert.Throws<ShapeException>(() => pool.Forward([new Tensor(1, 2, 3)]));
        Assert.Contains("AvgPool2d(k=2", ex.Message);
        Assert.Contains("[1×2×3]", ex.Message);
    }
}
