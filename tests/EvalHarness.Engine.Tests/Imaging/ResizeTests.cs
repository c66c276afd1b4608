using System.Text.Json;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Io;
using EvalHarness.Engine.Tests.Io;
using Xunit.Abstractions;

namespace EvalHarness.Engine.Tests.Imaging;

public class ResizeTests(ITestOutputHelper output)
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Manifest = new(() =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(IoFixtures.Path("resize", "manifest.json")))!);

    public static TheoryData<string> PilCases => new(Manifest.Value.Keys.Where(k => !k.Contains(".tensor")).Order());

    public static TheoryData<string> TensorCases => new(Manifest.Value.Keys.Where(k => k.Contains(".tensor")).Order());

    private static Image Source(string name) => Png.Read(IoFixtures.Path("resize", name + ".png"));

    private static int Int(JsonElement e, string key) => e.GetProperty(key).GetInt32();

    /// <summary>torchvision.transforms on PIL images: Resize(int), Resize((h, w)), CenterCrop, and their composition.</summary>
    [Theory]
    [MemberData(nameof(PilCases))]
    public void Matches_torchvision_on_PIL_images(string name)
    {
        var meta = Manifest.Value[name];
        var image = Source(meta.GetProperty("src").GetString()!);
        if (meta.TryGetProperty("resize", out var shorter))
        {
            var (w, h) = Resize.ShorterSideSize(image.Width, image.Height, shorter.GetInt32());
            image = Resize.Pil(image, w, h);
        }
        else if (meta.TryGetProperty("width", out _))
        {
            image = Resize.Pil(image, Int(meta, "width"), Int(meta, "height"));
        }
        if (meta.TryGetProperty("crop", out var crop))
            image = Crop.Center(image, crop.GetInt32(), crop.GetInt32());
        else if (meta.TryGetProperty("crop_width", out _))
            image = Crop.Center(image, Int(meta, "crop_width"), Int(meta, "crop_height"));
        var expected = Npy.Read(IoFixtures.Path("resize", name + ".npy"));
        Assert.Equal(new[] { image.Height, image.Width, 3 }, expected.Shape);
        int max = IoFixtures.MaxAbsDiff(image.Pixels, (byte[])expected.Data);
        output.WriteLine($"{name}: {image.Width}×{image.Height}, max |EvalHarness − PIL| = {max}, {IoFixtures.CountDifferent(image.Pixels, (byte[])expected.Data)} samples differ");
        Assert.InRange(max, 0, 1);
    }

    /// <summary>torchvision.transforms.functional.resize on a uint8 tensor (float interpolate, round).</summary>
    [Theory]
    [MemberData(nameof(TensorCases))]
    public void Matches_torchvision_on_uint8_tensors(string name)
    {
        var meta = Manifest.Value[name];
        var image = Resize.TensorPath(Source(meta.GetProperty("src").GetString()!), Int(meta, "width"), Int(meta, "height"),
            meta.GetProperty("antialias").GetBoolean());
        var expected = (byte[])Npy.Read(IoFixtures.Path("resize", name + ".npy")).Data;
        int max = IoFixtures.MaxAbsDiff(image.Pixels, expected);
        output.WriteLine($"{name}: max |EvalHarness − torchvision| = {max}, {IoFixtures.CountDifferent(image.Pixels, expected)} samples differ");
        Assert.InRange(max, 0, 1);
    }

    public static TheoryData<string, bool> InterpolateCases
    {
        get
        {
            var data = new TheoryData<string, bool>();
            var names = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(
                File.ReadAllText(IoFixtures.Path("interpolate", "manifest.json")))!.Keys.Order();
            foreach (var n in names)
            {
                data.Add(n, false);
                data.Add(n, true);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(InterpolateCases))]
    public void Interpolate_matches_torch_within_1e4(string name, bool antialias)
    {
        var x = Npy.ReadTensor(IoFixtures.Path("interpolate", name + ".in.npy"));
        var expected = Npy.ReadTensor(IoFixtures.Path("interpolate", $"{name}.{(antialias ? "aa" : "noaa")}.npy"));
        var y = Resize.Interpolate(x, expected.H, expected.W, antialias);
        Assert.Equal(expected.ShapeArray, y.ShapeArray);
        float max = 0;
        for (int i = 0; i < y.Length; i++) max = Math.Max(max, Math.Abs(y.Data[i] - expected.Data[i]));
        output.WriteLine($"{name} antialias={antialias}: max |EvalHarness − torch| = {max:E2}");
        Assert.True(max <= 1e-4f, $"max difference {max}");
    }

    /// <summary>CAM-sized upsampling against a double-precision transcription of the align_corners=False formula.</summary>
    [Theory]
    [InlineData(2, 7, 7, 224, 224)]
    [InlineData(1, 13, 13, 227, 227)]
    [InlineData(3, 14, 9, 61, 200)]
    [InlineData(1, 50, 40, 7, 9)]
    public void Interpolate_matches_the_definition(int planes, int h, int w, int outH, int outW)
    {
        var rng = new Random(h * 100 + w);
        var x = new Tensor(Enumerable.Range(0, planes * h * w).Select(_ => (float)rng.NextDouble() * 10 - 5).ToArray(), 1, planes, h, w);
        var y = Resize.Interpolate(x, outH, outW);
        double max = 0;
        for (int p = 0; p < planes; p++)
        for (int oy = 0; oy < outH; oy++)
        for (int ox = 0; ox < outW; ox++)
        {
            double sy = Math.Max((oy + 0.5) * h / outH - 0.5, 0), sx = Math.Max((ox + 0.5) * w / outW - 0.5, 0);
            int y0 = (int)sy, x0 = (int)sx, y1 = Math.Min(y0 + 1, h - 1), x1 = Math.Min(x0 + 1, w - 1);
            double ly = sy - y0, lx = sx - x0;
            double v(int yy, int xx) => x[0, p, yy, xx];
            double want = (1 - ly) * ((1 - lx) * v(y0, x0) + lx * v(y0, x1)) + ly * ((1 - lx) * v(y1, x0) + lx * v(y1, x1));
            max = Math.Max(max, Math.Abs(want - y[0, p, oy, ox]));
        }
        // PyTorch computes the scale in float32, which moves source positions by up to ~1e-5 pixel.
        Assert.True(max < 1e-4, $"max difference {max}");
    }

    [Fact]
    public void Antialiased_downscale_by_an_integer_factor_is_a_tent_average()
    {
        // 4 → 2: scale 2, support 2; output 0 centre 1: taps x=0..2 weights tri((x − 1 + ½)/2) = ¾, ¾, ¼ → normalised 3/7, 3/7, 1/7.
        var x = new Tensor([1f, 2f, 4f, 8f], 1, 1, 1, 4);
        var y = Resize.Interpolate(x, 1, 2, antialias: true);
        Assert.Equal((3 * 1 + 3 * 2 + 1 * 4) / 7f, y.Data[0], 5);
        Assert.Equal((1 * 2 + 3 * 4 + 3 * 8) / 7f, y.Data[1], 5);
    }

    [Theory]
    [InlineData(500, 375, 256, 341, 256)]   // landscape
    [InlineData(375, 500, 256, 256, 341)]   // portrait
    [InlineData(300, 300, 256, 256, 256)]
    [InlineData(37, 23, 16, 25, 16)]        // int(16 · 37 / 23) = int(25.739)
    [InlineData(1, 1000, 3, 3, 3000)]
    public void Shorter_side_follows_torchvision(int w, int h, int size, int ew, int eh)
    {
        Assert.Equal((ew, eh), Resize.ShorterSideSize(w, h, size));
    }

    [Fact]
    public void Center_crop_offsets_round_half_to_even()
    {
        // (37 − 30)/2 = 3.5 → 4; (23 − 20)/2 = 1.5 → 2; (38 − 33)/2 = 2.5 → 2; (6 − 1)/2 = 2.5 → 2.
        Assert.Equal((4, 2), Crop.CenterOffsets(37, 23, 30, 20));
        Assert.Equal((2, 2), Crop.CenterOffsets(38, 6, 33, 1));
        var e = Assert.Throws<EvalHarnessException>(() => Crop.CenterOffsets(200, 100, 224, 224));
        Assert.Contains("224×224 is larger than the 200×100 image", e.Message);
        Assert.Throws<EvalHarnessException>(() => Crop.CenterOffsets(200, 100, 0, 10));
    }

    [Fact]
    public void Invalid_sizes_are_refused()
    {
        var image = new Image(4, 4);
        Assert.Contains("0×3", Assert.Throws<EvalHarnessException>(() => Resize.Pil(image, 0, 3)).Message);
        Assert.Throws<EvalHarnessException>(() => Resize.Interpolate(new Tensor(1, 1, 2, 2), 2, -1));
        Assert.Throws<ShapeException>(() => Resize.Interpolate(new Tensor(2, 2), 2, 2));
        Assert.Throws<EvalHarnessException>(() => Resize.ShorterSideSize(10, 10, 0));
    }

    [Fact]
    public void Same_size_resize_is_a_copy()
    {
        var image = Source("odd_37x23");
        var same = Resize.Pil(image, 37, 23);
        Assert.NotSame(image.Pixels, same.Pixels);
        Assert.Equal(image.Pixels, same.Pixels);
    }
}
