using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Engine.Tests.Layers;

/// <summary>
/// The Winograd F(4×4, 3×3) path of <see cref="Conv2d"/> (stride-1 3×3 convolutions with at least
/// <see cref="Conv2d.WinogradMinChannels"/> channels) against the double-precision definition: forward,
/// input gradient (computed as a convolution with rotated, transposed kernels) and the parameter
/// gradients, over sizes that leave partial tiles, more tiles per row than one vector holds, several
/// images per block, several blocks, and paddings 0, 1 and 2, for F(2×2, 3×3) and F(4×4, 3×3). F(4×4, 3×3)
/// rounds more than direct products (its transformed-domain sums are larger than the outputs): measured
/// errors are about 3e-6 of the output's scale, against about 3e-7 for im2col + GEMM and F(2×2, 3×3).
/// </summary>
public class WinogradConvTests
{
    private static WinogradTransform Variant(int tile) => tile == 2 ? WinogradF2x3.Instance : WinogradF4x3.Instance;

    /// <summary>Measured errors are about 4e-7 (F(2×2)) and 3e-6 (F(4×4)) of the output's scale.</summary>
    private static double Tolerance(int tile) => tile == 2 ? 2e-6 : 1e-5;

    private static Conv2d Make(int cin, int cout, int pad, bool bias, int seed, int tile)
    {
        var conv = new Conv2d(cin, cout, 3, padding: pad, bias: bias) { WinogradAlgorithm = Variant(tile) };
        TestTensors.Fill(conv.Weight.Value, seed, -0.3f, 0.3f);
        if (conv.Bias != null) TestTensors.Fill(conv.Bias.Value, seed + 1);
        return conv;
    }

    public static IEnumerable<object[]> Cases()
    {
        object[][] shapes =
        [
            // n, cin, cout, h, w, pad, bias
            [2, 16, 20, 13, 17, 1, true],   // partial tiles on both edges
            [1, 16, 16, 9, 75, 1, false],   // wide rows: full and partial vectors of tiles, unpadded loads
            [5, 24, 16, 6, 6, 1, true],     // small images: tiles of several images in one block
            [1, 16, 17, 12, 12, 0, true],   // valid convolution; input-gradient padding 2
            [2, 17, 16, 7, 11, 2, false],   // padding 2; input-gradient padding 0
            [1, 64, 32, 5, 4, 1, true],     // more channels than tiles
            [1, 16, 16, 2, 3, 1, true],     // smaller than one tile
            [3, 16, 16, 40, 41, 1, true],   // several blocks of tiles, spread over threads
        ];
        foreach (int tile in new[] { 2, 4 })
            foreach (var s in shapes) yield return [tile, .. s];
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Forward_and_gradients_match_the_definition(int tile, int n, int cin, int cout, int h, int w, int pad, bool bias)
    {
        Skip.IfNot(WinogradConv.IsSupported, "Winograd convolution needs AVX-512.");
        var conv = Make(cin, cout, pad, bias, seed: 3, tile);
        conv.MinWinogradTiles = 1;
        Assert.True(conv.UsesWinograd(n, h + 2 * pad - 2, w + 2 * pad - 2));
        var x = TestTensors.Uniform(4, [n, cin, h, w]);
        var y = conv.Forward([x]);
        var xd = TestTensors.ToDouble(x);
        var wd = TestTensors.ToDouble(conv.Weight.Value);
        double[]? bd = bias ? TestTensors.ToDouble(conv.Bias!.Value) : null;
        var expected = Reference.Conv2d(xd, n, cin, h, w, wd, bd, cout, 3, 3, 1, 1, pad, pad, 1, 1, 1, out int oh, out int ow);
        Assert.Equal([n, cout, oh, ow], y.ShapeArray);
        TestTensors.AssertClose(expected, y.Data, Tolerance(tile), "forward");

        var r = TestTensors.Uniform(5, y.ShapeArray);
        var gx = conv.Backward([x], y, r, [true], parameterGradients: true)[0]!;
        var (egx, egw, egb) = Reference.Conv2dAdjoint(xd, n, cin, h, w, wd, cout, 3, 3, 1, 1, pad, pad, 1, 1, 1, TestTensors.ToDouble(r));
        TestTensors.AssertClose(egx, gx.Data, Tolerance(tile), "input gradient");
        TestTensors.AssertClose(egw, conv.Weight.Grad!.Data, 1e-5, "weight gradient");
        if (bias) TestTensors.AssertClose(egb, conv.Bias!.Grad!.Data, 1e-5, "bias gradient");
    }

    [SkippableTheory]
    [InlineData(2)]
    [InlineData(4)]
    public void Winograd_and_im2col_agree_on_a_vgg_like_layer(int tile)
    {
        Skip.IfNot(WinogradConv.IsSupported, "Winograd convolution needs AVX-512.");
        var conv = Make(64, 64, 1, true, seed: 9, tile);
        var x = TestTensors.Uniform(6, [2, 64, 28, 28], 0f, 2f);
        var fast = conv.Forward([x]);
        var r = TestTensors.Uniform(8, fast.ShapeArray);
        var fastGx = conv.Backward([x], fast, r, [true], false)[0]!;
        conv.AllowWinograd = false;
        Assert.False(conv.UsesWinograd(2, 28, 28));
        var slow = conv.Forward([x]);
        var slowGx = conv.Backward([x], slow, r, [true], false)[0]!;
        TestTensors.AssertClose(slow.Data, fast.Data, Tolerance(tile), "forward");
        TestTensors.AssertClose(slowGx.Data, fastGx.Data, Tolerance(tile), "input gradient");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Kernel_transform_of_a_centred_delta_is_the_interpolation_of_one(int tile)
    {
        // g = δ at the centre: G g Gᵀ = (G e₁)(G e₁)ᵀ, G e₁ being G's middle column.
        double[] column = tile == 2 ? [0, 0.5, -0.5, 0] : [0, -1.0 / 6, 1.0 / 6, 1.0 / 12, -1.0 / 12, 0];
        int alpha = column.Length;
        Span<double> g = stackalloc double[9];
        g[4] = 1;
        Span<double> u = stackalloc double[alpha * alpha];
        Variant(tile).Kernel(g, u);
        for (int i = 0; i < alpha; i++)
            for (int j = 0; j < alpha; j++)
                Assert.Equal(column[i] * column[j], u[alpha * i + j], 15);
    }
}
