using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Engine.Tests.Layers;

public class MaxPool2dTests
{
    private static Func<double[][], double[]> ReferenceOf(MaxPool2d m, int planes, int h, int w) => a =>
        Reference.MaxPool2d(a[0], planes, h, w, m.KernelSize, m.Stride, m.Padding, m.Dilation, m.CeilMode, out _, out _);

    [Theory]
    // n, c, h, w, kernel, stride, padding, dilation, ceil
    [InlineData(2, 3, 8, 9, 2, 2, 0, 1, false)]
    [InlineData(1, 2, 13, 13, 3, 2, 0, 1, true)]
    [InlineData(1, 2, 14, 11, 3, 2, 0, 1, true)]   // ceil adds a row and a column that hang over the edge
    [InlineData(2, 2, 9, 10, 3, 2, 1, 1, false)]
    [InlineData(1, 3, 10, 9, 3, 2, 1, 2, false)]   // dilation with padding
    [InlineData(1, 2, 7, 8, 3, 3, 1, 1, true)]     // padding and ceil together
    [InlineData(1, 2, 11, 12, 2, 3, 1, 3, true)]   // stride larger than the kernel, dilated, ceil
    [InlineData(1, 1, 2, 2, 3, 2, 0, 1, true)]     // window larger than the input (ceil allows one)
    [InlineData(1, 3, 6, 70, 2, 2, 0, 1, false)]   // wide rows: the stride-2 vector path (VGG's pool), and scalar tails
    [InlineData(2, 2, 9, 75, 3, 2, 1, 1, false)]   // vector path with padding (ResNet's pool)
    [InlineData(1, 2, 11, 69, 3, 2, 0, 1, true)]   // vector path with ceil mode (SqueezeNet's pools)
    [InlineData(1, 3, 5, 33, 3, 2, 0, 1, false)]   // the vector's last window ends at the row's end (next row untouched)
    [InlineData(2, 2, 5, 34, 3, 2, 1, 1, false)]   // the same with padding
    [InlineData(1, 3, 4, 32, 2, 2, 0, 1, false)]   // the same for 2×2 windows
    public void Forward_and_gradients_match_the_definition(int n, int c, int h, int w, int k, int s, int p, int d, bool ceil)
    {
        var pool = new MaxPool2d(k, s, p, d, ceil);
        var x = TestTensors.Uniform(21, [n, c, h, w]);
        Reference.MaxPool2d(TestTensors.ToDouble(x), n * c, h, w, k, s, p, d, ceil, out int oh, out int ow);
        Assert.Equal([n, c, oh, ow], pool.OutputShape([x.ShapeArray]));
        GradCheck.Check(pool, [x], ReferenceOf(pool, n * c, h, w));
    }

    [Fact]
    public void Large_input_takes_the_parallel_path()
    {
        var pool = new MaxPool2d(3, 1, 1);
        var x = TestTensors.Uniform(4, [2, 8, 48, 50]);
        Assert.True(2L * 8 * 48 * 50 * 9 >= LayerParallel.MinParallelWork);
        PlaneByPlane.AssertSameAsSinglePlanes(pool, x, 5);
    }

    [Theory]
    [InlineData(2, 0, false)]
    [InlineData(3, 1, false)]
    [InlineData(3, 0, true)]
    public void Wide_rows_with_ties_and_NaNs_match_the_scalar_scan(int k, int p, bool ceil)
    {
        // Rows of 80 take the 16-wide stride-2 paths; small integer values make ties common, and a few NaNs
        // sit in vector lanes. The reference is the definition (first maximum in scan order, last NaN).
        var pool = new MaxPool2d(k, 2, p, 1, ceil);
        var x = TestTensors.Uniform(31, [1, 2, 7, 80]);
        for (int i = 0; i < x.Length; i++) x.Data[i] = MathF.Round(x.Data[i] * 2);
        x.Data[90] = float.NaN;
        x.Data[80 * 3 + 41] = float.NaN;
        x.Data[80 * 3 + 42] = float.NaN;
        var y = pool.Forward([x]);
        var r = TestTensors.Uniform(32, y.ShapeArray);
        var g = pool.Backward([x], y, r, [true], false)[0]!;
        int oh = y.H, ow = y.W;
        var expectedY = new float[y.Length];
        var expectedG = new float[x.Length];
        for (int plane = 0; plane < 2; plane++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    float best = float.NegativeInfinity;
                    int at = -1;
                    for (int a = 0; a < k; a++)
                        for (int b = 0; b < k; b++)
                        {
                            int ih = 2 * i - p + a, iw = 2 * j - p + b;
                            if (ih < 0 || ih >= 7 || iw < 0 || iw >= 80) continue;
                            float v = x.Data[(plane * 7 + ih) * 80 + iw];
                            if (v > best || float.IsNaN(v) || at < 0)
                            {
                                if (at < 0 || v > best || float.IsNaN(v)) { best = v; at = (plane * 7 + ih) * 80 + iw; }
                            }
                        }
                    int o = (plane * oh + i) * ow + j;
                    expectedY[o] = best;
                    expectedG[at] += r.Data[o];
                }
        Assert.Equal(expectedY, y.Data);
        Assert.Equal(expectedG, g.Data);
    }

    [Fact]
    public void A_tie_goes_to_the_first_element_in_scan_order()
    {
        var pool = new MaxPool2d(2);
        var x = Tensor.FromArray([1, 1, 1, 1, 0, 3, 3, 1], 1, 2, 2, 2);
        var y = pool.Forward([x]);
        Assert.Equal([1f, 3f], y.Data);
        var g = pool.Backward([x], y, Tensor.FromArray([5f, 7f], 1, 2, 1, 1), [true], false)[0]!;
        Assert.Equal([5f, 0f, 0f, 0f, 0f, 7f, 0f, 0f], g.Data);
    }

    [Fact]
    public void Overlapping_windows_add_their_gradients_on_a_shared_maximum()
    {
        // 1×3 row [0, 9, 0] with 1×… windows of 2, stride 1: both windows pick the 9
        var pool = new MaxPool2d(2, 1);
        var x = Tensor.FromArray([0, 9, 0, 0, 1, 0], 1, 1, 2, 3);
        var y = pool.Forward([x]);
        Assert.Equal([9f, 9f], y.Data);
        var g = pool.Backward([x], y, Tensor.FromArray([1f, 2f], 1, 1, 1, 2), [true], false)[0]!;
        Assert.Equal([0f, 3f, 0f, 0f, 0f, 0f], g.Data);
    }

    [Fact]
    public void NaN_propagates_and_the_last_NaN_takes_the_gradient_as_in_PyTorch()
    {
        // PyTorch 1.13: MaxPool2d(2) on [[nan, 5], [nan, 1]] → nan with the gradient at (1, 0)
        var pool = new MaxPool2d(2);
        var x = Tensor.FromArray([float.NaN, 5f, float.NaN, 1f], 1, 1, 2, 2);
        var y = pool.Forward([x]);
        Assert.True(float.IsNaN(y.Data[0]));
        var g = pool.Backward([x], y, Tensor.FromArray([1f], 1, 1, 1, 1), [true], false)[0]!;
        Assert.Equal([0f, 0f, 1f, 0f], g.Data);
    }

    [Fact]
    public void Backward_finds_the_maximum_without_the_forward_output_too()
    {
        // Backward looks the maximum up by value in the forward output; given an output whose values
        // are not in the windows (NaN here) it scans for the maximum instead, with the same result.
        var pool = new MaxPool2d(3, 2, 1);
        var x = TestTensors.Uniform(8, [1, 2, 9, 8]);
        var y = pool.Forward([x]);
        var g = TestTensors.Uniform(9, y.ShapeArray);
        var expected = pool.Backward([x], y, g, [true], false)[0]!;
        var actual = pool.Backward([x], Tensor.Full(float.NaN, y.ShapeArray), g, [true], false)[0]!;
        Assert.Equal(expected.Data, actual.Data);
    }

    [Fact]
    public void Padding_acts_as_negative_infinity()
    {
        var pool = new MaxPool2d(3, 1, 1);
        var x = Tensor.Full(-5f, 1, 1, 2, 2);
        var y = pool.Forward([x]);
        Assert.All(y.Data, v => Assert.Equal(-5f, v));
    }

    [Theory]
    // PyTorch 1.13: nn.MaxPool2d(3, 2, ceil_mode=True) on H×H
    [InlineData(13, 6)]
    [InlineData(14, 7)]
    [InlineData(55, 27)]
    [InlineData(111, 55)]
    [InlineData(112, 56)]
    [InlineData(2, 1)]
    public void Ceil_mode_output_size_is_PyTorchs(int size, int expected)
    {
        var pool = new MaxPool2d(3, 2, ceilMode: true);
        Assert.Equal([1, 1, expected, expected], pool.OutputShape([[1, 1, size, size]]));
        Assert.Equal([1, 1, expected, expected], pool.Forward([new Tensor(1, 1, size, size)]).ShapeArray);
    }

    [Fact]
    public void Floor_mode_output_size()
    {
        var pool = new MaxPool2d(3, 2);
        Assert.Equal(55, pool.OutputShape([[1, 1, 112, 112]])[2]);
        Assert.Equal(6, pool.OutputShape([[1, 1, 13, 13]])[2]);
    }

    [Fact]
    public void Bad_input_names_the_layer_and_shape()
    {
        var pool = new MaxPool2d(3, 2);
        var ex = Assert.Throws<ShapeException>(() => pool.Forward([new Tensor(2, 9)]));
        Assert.Contains("MaxPool2d(k=3", ex.Message);
        Assert.Contains("[2×9]", ex.Message);
        ex = Assert.Throws<ShapeException>(() => pool.Forward([new Tensor(1, 1, 2, 2)]));
        Assert.Contains("smaller than the window", ex.Message);
    }
}
