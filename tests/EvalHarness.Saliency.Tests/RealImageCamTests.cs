using System.Globalization;
using EvalHarness.Engine;
using Xunit.Abstractions;

namespace EvalHarness.Saliency.Tests;

/// <summary>
/// CAM-family methods on the shared SqueezeNet (features.12) and 3 real ImageNet images against the
/// pytorch-grad-cam package itself (LIFT-CAM: the authors' lift_cam followed with a SqueezeNet head),
/// recorded by tests/fixtures/gen_real_images.py: final maps (on a 46×46 grid of the 227×227 map),
/// raw maps (13×13) and channel weights (512), within 1e-4. Skipped without the shared folder.
/// </summary>
public class RealImageCamTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    [SkippableTheory]
    [InlineData("gradcam", null)]
    [InlineData("gradcam++", null)]
    [InlineData("xgradcam", null)]
    [InlineData("layercam", null)]
    [InlineData("ablationcam", null)]
    [InlineData("liftcam", null)]
    public void Matches_the_reference_on_real_images(string method, string? variant) => Check(method, variant);

    [SkippableFact]
    [Trait("Category", "Slow")]
    public void Score_cam_matches_pytorch_grad_cam_on_real_images() => Check("scorecam", "pytorch-grad-cam");

    private void Check(string name, string? variant)
    {
        var real = RealImages.Require();
        var method = SaliencyCatalog.Create(name, variant is null ? null : new Dictionary<string, string> { ["variant"] = variant });
        // The reference records Ablation-CAM and Score-CAM for the first image only.
        var images = Enumerable.Range(0, real.Targets.Length).Where(n => real.Fixture.ContainsKey($"i{n}/{name}/map")).ToArray();
        Assert.NotEmpty(images);
        var batch = Tensor.Uninitialized([images.Length, .. real.Images.ShapeArray[1..]]);
        for (int j = 0; j < images.Length; j++) real.Images.Sample(images[j]).CopyTo(batch.Sample(j));
        var result = method.Explain(new ExplainContext { Graph = real.Graph, TargetLayer = "features.12", BatchSize = 32 }, batch,
            images.Select(n => real.Targets[n]).ToArray());
        double worstMap = 0, worstRaw = 0, worstWeights = 0;
        for (int j = 0; j < images.Length; j++)
        {
            int n = images[j];
            string key = $"i{n}/{name}";
            var map = real.OnGrid(result.Maps.Sample(j), result.Maps.Dim(2));
            worstMap = Math.Max(worstMap, MaxAbs(map, real.Fixture[key + "/map"].Data));
            worstRaw = Math.Max(worstRaw, Relative(result.RawMaps!.Sample(j), real.Fixture[key + "/raw"].Data));
            if (real.Fixture.TryGetValue(key + "/weights", out var w))
                worstWeights = Math.Max(worstWeights, Relative(result.ChannelWeights!.Sample(j), w.Data));
            else
                Assert.Null(result.ChannelWeights);
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name} ({images.Length} images): max |map − ref| {worstMap:0.0e+0}, max |raw − ref|/max|ref| {worstRaw:0.0e+0}, max |α − ref|/max|ref| {worstWeights:0.0e+0}"));
        Assert.True(worstMap <= Tolerance, $"{name}: final map differs by {worstMap}");
        Assert.True(worstRaw <= Tolerance, $"{name}: raw map differs by {worstRaw} of its largest magnitude");
        Assert.True(worstWeights <= Tolerance, $"{name}: channel weights differ by {worstWeights} of their largest magnitude");
    }

    private static double MaxAbs(ReadOnlySpan<float> got, ReadOnlySpan<float> want)
    {
        Assert.Equal(want.Length, got.Length);
        double d = 0;
        for (int i = 0; i < want.Length; i++) d = Math.Max(d, Math.Abs((double)got[i] - want[i]));
        return d;
    }

    private static double Relative(ReadOnlySpan<float> got, ReadOnlySpan<float> want)
    {
        double scale = 0;
        foreach (float v in want) scale = Math.Max(scale, Math.Abs(v));
        return MaxAbs(got, want) / Math.Max(scale, 1e-30);
    }
}
