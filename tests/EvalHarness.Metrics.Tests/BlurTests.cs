using EvalHarness.Metrics.Faithfulness;

namespace EvalHarness.Metrics.Tests;

public class BlurTests
{
    [Theory]
    [InlineData(11, 5.0)]
    [InlineData(11, 1.0)]
    [InlineData(7, 3.3)]
    [InlineData(3, 10.0)]
    [InlineData(1, 2.0)]
    public void Kernel_matches_scipy_gaussian_filter_of_a_delta_with_reflect_extension(int size, double sigma)
    {
        var expected = SlowReference.RiseKernel1D(size, sigma);
        var actual = GaussianBlur.Kernel1D(size, sigma);
        for (int i = 0; i < size; i++) Assert.Equal(expected[i], actual[i], 14);
        for (int i = 0; i < size; i++) Assert.Equal(actual[i], actual[size - 1 - i], 15);
    }

    [Fact]
    public void A_narrow_kernel_is_the_truncated_normalised_gaussian()
    {
        // σ = 1: radius ⌊4.5⌋ = 4 fits inside 11 samples, so nothing folds back
        var k = GaussianBlur.Kernel1D(11, 1);
        double norm = Enumerable.Range(-4, 9).Sum(j => Math.Exp(-0.5 * j * j));
        Assert.Equal(0, k[0]);
        Assert.Equal(0, k[10]);
        for (int j = -4; j <= 4; j++) Assert.Equal(Math.Exp(-0.5 * j * j) / norm, k[5 + j], 15);
    }

    [Fact]
    public void RISE_kernel_folds_its_tails_back_and_keeps_its_mass()
    {
        var k = GaussianBlur.Kernel1D(11, 5);
        // radius 20 > 5: the tails beyond ±5 fold back, so the kernel is flatter than exp(−j²/50)
        Assert.True(k[0] / k[5] > Math.Exp(-25.0 / 50));
        // for an impulse at the centre the reflected windows cover every tap once per period: mass 1
        Assert.Equal(1.0, k.Sum(), 12);
    }

    [Theory]
    [InlineData(3, 13, 9)]
    [InlineData(1, 4, 30)]
    [InlineData(2, 1, 1)]
    public void Separable_blur_equals_direct_convolution_with_zero_padding(int c, int h, int w)
    {
        var image = TestNets.Random(7, c, h, w).Data;
        var expected = SlowReference.Blur(image, c, h, w);
        var actual = new float[image.Length];
        new GaussianBlur().Apply(image, actual, c, h, w);
        for (int i = 0; i < image.Length; i++) Assert.Equal(expected[i], actual[i], 5);
    }

    [Fact]
    public void Even_or_non_positive_kernels_are_refused()
    {
        Assert.Throws<Engine.EvalHarnessException>(() => new GaussianBlur(10, 5));
        Assert.Throws<Engine.EvalHarnessException>(() => new GaussianBlur(11, 0));
    }
}
