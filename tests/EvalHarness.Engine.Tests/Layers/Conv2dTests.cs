using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Engine.Tests.Layers;

public class Conv2dTests
{
    private static Conv2d Make(int cin, int cout, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int groups, bool bias, int seed)
    {
        var conv = new Conv2d(cin, cout, (kh, kw), (sh, sw), (ph, pw), (dh, dw), groups, bias);
        TestTensors.Fill(conv.Weight.Value, seed);
        if (conv.Bias != null) TestTensors.Fill(conv.Bias.Value, seed + 1);
        return conv;
    }

    private static Func<double[][], double[]> ReferenceOf(Conv2d c, int n, int h, int w) => a =>
        Reference.Conv2d(a[0], n, c.InChannels, h, w, a[1], c.Bias != null ? a[2] : null, c.OutChannels,
            c.KernelSize.H, c.KernelSize.W, c.Stride.H, c.Stride.W, c.Padding.H, c.Padding.W, c.Dilation.H, c.Dilation.W, c.Groups, out _, out _);

    [Theory]
    // n, cin, h, w, cout, kh, kw, sh, sw, ph, pw, dh, dw, groups, bias
    [InlineData(2, 3, 7, 9, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, true)]     // plain 3×3 same-padding
    [InlineData(1, 4, 8, 7, 6, 3, 2, 2, 1, 1, 0, 1, 2, 2, true)]     // groups, non-square kernel, stride, dilation
    [InlineData(2, 5, 9, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1, 5, true)]     // depthwise
    [InlineData(1, 3, 10, 11, 6, 3, 3, 2, 2, 1, 1, 1, 1, 3, false)]  // depthwise with channel multiplier 2, stride 2
    [InlineData(1, 4, 9, 9, 4, 5, 3, 2, 3, 2, 1, 2, 1, 4, true)]     // depthwise, non-square everything
    [InlineData(1, 3, 5, 21, 3, 3, 3, 1, 1, 1, 1, 1, 1, 3, true)]    // depthwise, rows wide enough for SIMD chunks
    [InlineData(1, 2, 6, 30, 4, 3, 5, 1, 1, 2, 2, 2, 2, 2, true)]    // depthwise, multiplier 2, dilated, wide
    [InlineData(1, 2, 4, 19, 2, 1, 7, 2, 1, 0, 1, 1, 1, 2, false)]   // depthwise 1×7, stride 2 along H only
    [InlineData(2, 6, 5, 7, 4, 1, 1, 1, 1, 0, 0, 1, 1, 1, true)]     // pointwise (no im2col)
    [InlineData(1, 6, 5, 7, 9, 1, 1, 1, 1, 0, 0, 1, 1, 3, false)]    // grouped pointwise
    [InlineData(1, 4, 9, 8, 3, 1, 1, 2, 2, 0, 0, 1, 1, 1, true)]     // 1×1 with stride: through im2col
    [InlineData(1, 2, 6, 6, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true)]     // 1×1 with padding
    [InlineData(1, 3, 5, 5, 2, 5, 5, 1, 1, 0, 0, 1, 1, 1, true)]     // kernel as large as the input
    [InlineData(1, 2, 4, 5, 3, 3, 3, 3, 3, 2, 2, 1, 1, 1, true)]     // stride equal to the kernel, wide padding
    [InlineData(3, 2, 11, 13, 4, 7, 7, 2, 2, 3, 3, 1, 1, 1, true)]   // ResNet conv1-like, batch 3
    [InlineData(1, 4, 7, 6, 2, 2, 3, 1, 2, 0, 1, 3, 2, 2, false)]    // large dilation with groups
    [InlineData(1, 3, 6, 77, 4, 7, 7, 2, 2, 3, 3, 1, 1, 1, true)]    // stride 2 on wide rows: vector im2col/col2im
    [InlineData(2, 4, 3, 70, 3, 1, 1, 2, 2, 0, 0, 1, 1, 1, false)]   // 1×1 stride 2 (ResNet downsample), wide
    public void Forward_and_gradients_match_the_definition(int n, int cin, int h, int w, int cout, int kh, int kw,
        int sh, int sw, int ph, int pw, int dh, int dw, int groups, bool bias)
    {
        var conv = Make(cin, cout, kh, kw, sh, sw, ph, pw, dh, dw, groups, bias, seed: 11);
        var x = TestTensors.Uniform(3, [n, cin, h, w]);
        GradCheck.Check(conv, [x], ReferenceOf(conv, n, h, w));
    }

    [Theory]
    [InlineData(1, 1)] // im2col + GEMM, channels packed in parallel (8·9·45·45 ≥ LayerParallel.MinParallelWork)
    [InlineData(2, 8)] // depthwise planes in parallel
    public void Large_inputs_take_the_parallel_paths_and_stay_exact(int n, int groups)
    {
        const int c = 8, h = 45, w = 45;
        Assert.True((long)c * 9 * h * w >= LayerParallel.MinParallelWork);
        var conv = Make(c, c, 3, 3, 1, 1, 1, 1, 1, 1, groups, true, seed: 5);
        var x = TestTensors.Uniform(9, [n, c, h, w]);
        var y = conv.Forward([x]);
        var xd = TestTensors.ToDouble(x);
        var wd = TestTensors.ToDouble(conv.Weight.Value);
        TestTensors.AssertClose(ReferenceOf(conv, n, h, w)([xd, wd, TestTensors.ToDouble(conv.Bias!.Value)]), y.Data, 1e-5, "forward");
        var r = TestTensors.Uniform(6, y.ShapeArray);
        var gx = conv.Backward([x], y, r, [true], true)[0]!;
        var (egx, egw, egb) = Reference.Conv2dAdjoint(xd, n, c, h, w, wd, c, 3, 3, 1, 1, 1, 1, 1, 1, groups, TestTensors.ToDouble(r));
        TestTensors.AssertClose(egx, gx.Data, 1e-5, "input gradient");
        TestTensors.AssertClose(egw, conv.Weight.Grad!.Data, 1e-5, "weight gradient");
        TestTensors.AssertClose(egb, conv.Bias.Grad!.Data, 1e-5, "bias gradient");
    }

    [Fact]
    public void The_reference_adjoint_agrees_with_finite_differences()
    {
        // ties the adjoint used for the large cases to the definition
        var conv = Make(4, 6, 3, 2, 2, 1, 1, 1, 2, 1, 2, true, seed: 8);
        var x = TestTensors.Uniform(1, [2, 4, 7, 6]);
        var y = conv.Forward([x]);
        var r = TestTensors.Uniform(7, y.ShapeArray);
        var xd = TestTensors.ToDouble(x);
        var wd = TestTensors.ToDouble(conv.Weight.Value);
        var bd = TestTensors.ToDouble(conv.Bias!.Value);
        var (gx, gw, gb) = Reference.Conv2dAdjoint(xd, 2, 4, 7, 6, wd, 6, 3, 2, 2, 1, 1, 1, 2, 1, 2, TestTensors.ToDouble(r));
        var f = ReferenceOf(conv, 2, 7, 6);
        double Loss() => f([xd, wd, bd]).Zip(r.Data, (a, b) => a * b).Sum();
        foreach (var (values, grad) in new[] { (xd, gx), (wd, gw), (bd, gb) })
        {
            for (int i = 0; i < values.Length; i += 3)
            {
                double saved = values[i];
                values[i] = saved + 1e-6;
                double plus = Loss();
                values[i] = saved - 1e-6;
                double minus = Loss();
                values[i] = saved;
                Assert.Equal((plus - minus) / 2e-6, grad[i], 1e-6);
            }
        }
    }

    [Fact]
    public void Hand_derived_two_by_two_kernel()
    {
        // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,0],[0,1]], b = 0.5 → y = [[6.5, 8.5], [12.5, 14.5]]
        var conv = new Conv2d(1, 1, 2);
        conv.Weight.Value.Data[0] = 1f;
        conv.Weight.Value.Data[3] = 1f;
        conv.Bias!.Value.Data[0] = 0.5f;
        var x = Tensor.FromArray([1, 2, 3, 4, 5, 6, 7, 8, 9], 1, 1, 3, 3);
        var y = conv.Forward([x]);
        Assert.Equal([1, 1, 2, 2], y.ShapeArray);
        Assert.Equal([6.5f, 8.5f, 12.5f, 14.5f], y.Data);
        var grads = conv.Backward([x], y, Tensor.Full(1f, 1, 1, 2, 2), [true], parameterGradients: true);
        // each pixel receives the weights of the windows that contain it
        Assert.Equal([1f, 1f, 0f, 1f, 2f, 1f, 0f, 1f, 1f], grads[0]!.Data);
        // dL/dw[ki,kj] = sum of the pixels each tap sees
        Assert.Equal([12f, 16f, 24f, 28f], conv.Weight.Grad!.Data);
        Assert.Equal([4f], conv.Bias.Grad!.Data);
    }

    [Fact]
    public void Parameter_gradients_accumulate_and_input_gradient_is_optional()
    {
        var conv = Make(4, 6, 3, 3, 1, 1, 1, 1, 1, 1, 2, true, seed: 2);
        var x = TestTensors.Uniform(4, [2, 4, 5, 5]);
        var y = conv.Forward([x]);
        var g = TestTensors.Uniform(5, y.ShapeArray);
        var first = conv.Backward([x], y, g, [true], true);
        var once = (float[])conv.Weight.Grad!.Data.Clone();
        var onceBias = (float[])conv.Bias!.Grad!.Data.Clone();
        var second = conv.Backward([x], y, g, [false], true);
        Assert.Null(second[0]);
        Assert.NotNull(first[0]);
        TestTensors.AssertClose(once.Select(v => 2.0 * v).ToArray(), conv.Weight.Grad!.Data, 1e-6, "weight grad after two passes");
        TestTensors.AssertClose(onceBias.Select(v => 2.0 * v).ToArray(), conv.Bias.Grad!.Data, 1e-6, "bias grad after two passes");
        // without parameter gradients nothing changes
        conv.Backward([x], y, g, [true], false);
        TestTensors.AssertClose(once.Select(v => 2.0 * v).ToArray(), conv.Weight.Grad!.Data, 1e-6, "weight grad untouched");
    }

    [Fact]
    public void Wrong_channels_or_rank_name_the_layer_and_shapes()
    {
        var conv = new Conv2d(3, 8, 3);
        var ex = Assert.Throws<ShapeException>(() => conv.Forward([new Tensor(1, 4, 8, 8)]));
        Assert.Contains("Conv2d(3, 8", ex.Message);
        Assert.Contains("[1×4×8×8]", ex.Message);
        ex = Assert.Throws<ShapeException>(() => conv.Forward([new Tensor(3, 8, 8)]));
        Assert.Contains("rank-4", ex.Message);
        Assert.Contains("[3×8×8]", ex.Message);
        ex = Assert.Throws<ShapeException>(() => conv.Forward([new Tensor(1, 3, 2, 8)]));
        Assert.Contains("smaller than the kernel", ex.Message);
        var x = new Tensor(1, 3, 5, 5);
        var y = conv.Forward([x]);
        ex = Assert.Throws<ShapeException>(() => conv.Backward([x], y, new Tensor(1, 8, 4, 3), [true], false));
        Assert.Contains("output gradient", ex.Message);
    }
}
