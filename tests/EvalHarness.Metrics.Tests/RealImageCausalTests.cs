using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Io;
using EvalHarness.Engine.Nn;
using EvalHarness.Metrics.Faithfulness;
using EvalHarness.Models;
using EvalHarness.Tests.Common;
using Xunit.Abstractions;

namespace EvalHarness.Metrics.Tests;

/// <summary>
/// Deletion and insertion (RISE protocol: step = width, probability of the predicted class, zeros /
/// RISE blur) on the shared SqueezeNet and 3 real ImageNet images against the RISE code's own
/// CausalMetric.single_run, recorded by tests/fixtures/gen_real_images.py: every score of the 228-point
/// curves and the AUC within 1e-4, for two saliency maps both sides build exactly (no ties). The fast
/// test runs the first image (228 forward passes per metric); the slow one all three with both maps.
/// Skipped without the shared folder.
/// </summary>
public class RealImageCausalTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Curves_and_auc_match_the_rise_code_on_the_first_image(bool insertion) => Check(insertion, "radial", 1);

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    [Trait("Category", "Slow")]
    public void Curves_and_auc_match_the_rise_code_on_three_images(bool insertion)
    {
        Check(insertion, "radial", 3);
        Check(insertion, "scatter", 3);
    }

    private void Check(bool insertion, string kind, int count)
    {
        var weights = TestPaths.SharedFile("models/squeezenet1_0-dc.safetensors", out var reason);
        Skip.If(weights is null, $"Needs the shared SqueezeNet: {reason}. Set EVALHARNESS_SHARED to the shared folder to run it.");
        var dir = TestPaths.SharedFile("datasets/imagenet-val-1000/images", out reason);
        Skip.If(dir is null, $"Needs the shared ImageNet sample: {reason}. Set EVALHARNESS_SHARED to the shared folder to run it.");
        Skip.IfNot(Jpeg.IsAvailable, $"libturbojpeg is not installed ({Jpeg.UnavailableReason})");

        var fixture = SafeTensors.Load(TestPaths.Fixture("real", "squeezenet1_0-dc.safetensors"), out var meta);
        using var doc = JsonDocument.Parse(meta["images"]);
        var records = doc.RootElement.EnumerateArray().Take(count).ToList();
        var graph = ModelZoo.Create("squeezenet1_0");
        StateDictLoader.LoadFile(graph, weights!);
        var decoded = records.Select(r =>
        {
            var image = ImageFile.Read(Path.Combine(dir!, r.GetProperty("file").GetString()!));
            Assert.True(Convert.ToHexStringLower(SHA256.HashData(image.Pixels)) == r.GetProperty("rgb_sha256").GetString(),
                $"{r.GetProperty("file")}: the decoded pixels differ from PIL's; the reference values do not apply.");
            return image;
        }).ToList();
        var images = Preprocessing.Caffe(227).ApplyBatch(decoded).Tensor;
        var targets = records.Select(r => r.GetProperty("target").GetInt32()).ToArray();
        int h = images.H, w = images.W;
        var maps = new Tensor(images.N, h, w);
        for (int n = 0; n < images.N; n++) SyntheticMap(kind, h, w, n).CopyTo(maps.Sample(n));
        CausalMetric metric = insertion ? new Insertion() : new Deletion();
        var result = metric.Evaluate(new MetricContext { Graph = graph, Images = images, Targets = targets, Maps = maps, BatchSize = 32 });

        string mode = insertion ? "insertion" : "deletion";
        double worstScore = 0, worstAuc = 0;
        for (int n = 0; n < images.N; n++)
        {
            var want = fixture[$"i{n}/{mode}/{kind}/scores"].Data;
            var got = result.Curves.Single(c => c.ImageIndex == n).Y;
            Assert.Equal(want.Length, got.Length);
            for (int i = 0; i < want.Length; i++) worstScore = Math.Max(worstScore, Math.Abs(got[i] - want[i]));
            worstAuc = Math.Max(worstAuc, Math.Abs(result.Values("auc")[n] - fixture[$"i{n}/{mode}/{kind}/auc"].Data[0]));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{mode} ({kind} map): max |score − RISE| {worstScore:0.0e+0} over {images.N}×{result.Curves[0].Y.Length} scores, max |AUC − RISE| {worstAuc:0.0e+0}"));
        Assert.True(worstScore <= Tolerance, $"{mode} {kind}: a score differs by {worstScore}");
        Assert.True(worstAuc <= Tolerance, $"{mode} {kind}: an AUC differs by {worstAuc}");
    }

    /// <summary>gen_real_images.py synthetic_map: value = H·W − rank, rank by an integer key, then by pixel index.</summary>
    private static float[] SyntheticMap(string kind, int h, int w, int index)
    {
        var keys = new (long Key, int P)[h * w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int p = y * w + x;
                long key = kind == "radial"
                    ? Square(2L * y - (h - 1 + 8 * index)) + Square(2L * x - (w - 1 - 6 * index))
                    : (uint)p * 2654435761u; // Knuth's multiplicative hash, mod 2^32
                keys[p] = (key, p);
            }
        Array.Sort(keys);
        var map = new float[h * w];
        for (int r = 0; r < keys.Length; r++) map[keys[r].P] = h * w - r;
        return map;
    }

    private static long Square(long v) => v * v;
}
