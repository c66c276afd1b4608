using System.Text.Json;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Io;
using EvalHarness.Engine.Tests.Io;
using Xunit.Abstractions;

namespace EvalHarness.Engine.Tests.Imaging;

public class PreprocessingTests(ITestOutputHelper output)
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Manifest = new(() =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(IoFixtures.Path("preprocess", "manifest.json")))!);

    [Theory]
    [InlineData("torchvision", "landscape_320x240")]
    [InlineData("torchvision", "portrait_300x400")]
    [InlineData("caffe", "landscape_320x240")]
    [InlineData("caffe", "odd_101x77")]
    public void Presets_match_the_Python_pipelines(string preset, string source)
    {
        var image = Png.Read(IoFixtures.Path("resize", source + ".png"));
        var input = Preprocessing.Preset(preset).Apply(image);
        var meta = Manifest.Value[$"{preset}.{source}"];
        Assert.Equal(meta.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(), input.Tensor.ShapeArray);
        var every7 = Npy.ReadTensor(IoFixtures.Path("preprocess", $"{preset}.{source}.every7.npy"));
        float max = 0;
        for (int c = 0; c < 3; c++)
        for (int y = 0; y < every7.H; y++)
        for (int x = 0; x < every7.W; x++)
            max = Math.Max(max, Math.Abs(every7[0, c, y, x] - input.Tensor[0, c, 7 * y, 7 * x]));
        var sums = meta.GetProperty("channel_sums").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        int plane = input.Tensor.H * input.Tensor.W;
        for (int c = 0; c < 3; c++)
        {
            double sum = 0;
            foreach (var v in input.Tensor.Data.AsSpan(c * plane, plane)) sum += v;
            output.WriteLine($"{preset} {source} channel {c}: sum {sum:F4} vs {sums[c]:F4}");
            Assert.True(Math.Abs(sum - sums[c]) <= 1e-3 * Math.Max(1, Math.Abs(sums[c])) + 1e-2, $"channel {c} sum {sum} vs {sums[c]}");
        }
        output.WriteLine($"{preset} {source}: max |EvalHarness − Python| on every 7th pixel = {max:E2}");
        Assert.True(max <= 1e-5f, $"max difference {max}");
    }

    [Fact]
    public void Torchvision_preset_is_explicit()
    {
        var p = Preprocessing.Torchvision();
        Assert.Equal(ResizeMode.ShorterSide, p.Resize);
        Assert.Equal(256, p.ResizeShorter);
        Assert.Equal((224, 224), p.OutputSize);
        Assert.Equal(ChannelOrder.Rgb, p.ChannelOrder);
        Assert.Equal(new[] { 0.485f, 0.456f, 0.406f }, p.Mean);
        var caffe = Preprocessing.Preset("CAFFE");
        Assert.Equal(ChannelOrder.Bgr, caffe.ChannelOrder);
        Assert.Equal((227, 227), caffe.OutputSize);
        Assert.Equal(new[] { 104f, 117f, 123f }, caffe.Mean);
        Assert.Equal((199, 199), Preprocessing.Preset("caffe", 199).OutputSize);
        Assert.Equal(Preprocessing.Torchvision(), Preprocessing.Preset("torchvision"));
        Assert.Equal(Preprocessing.Torchvision().GetHashCode(), Preprocessing.Preset("Torchvision").GetHashCode());
        Assert.NotEqual(Preprocessing.Torchvision(), Preprocessing.Torchvision() with { Mean = [0.485f, 0.456f, 0.407f] });
        Assert.Equal("resize shorter side 256 (bilinear, antialiased as PIL) → centre crop 224×224 → RGB → /255 → mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]",
            Preprocessing.Torchvision().ToString());
        Assert.Equal("resize 227×227 (bilinear, antialiased as PIL) → no crop → BGR → ×1 → mean [104, 117, 123], std [1, 1, 1]",
            Preprocessing.Caffe().ToString());
        var e = Assert.Throws<UnknownNameException>(() => Preprocessing.Preset("torchvison"));
        Assert.Contains("Did you mean: torchvision", e.Message);
    }

    [Fact]
    public void Channel_order_scale_mean_and_std_apply_per_pixel()
    {
        // One 2×1 image: pixels (10, 20, 30) and (255, 0, 128).
        var image = new Image(2, 1, [10, 20, 30, 255, 0, 128]);
        var p = new Preprocessing { ChannelOrder = ChannelOrder.Bgr, Scale = 1, Mean = [1f, 2f, 3f], Std = [2f, 4f, 5f] };
        var t = p.Apply(image).Tensor;
        Assert.Equal(new[] { 1, 3, 1, 2 }, t.ShapeArray);
        Assert.Equal(new[] { (30 - 1) / 2f, (128 - 1) / 2f, (20 - 2) / 4f, (0 - 2) / 4f, (10 - 3) / 5f, (255 - 3) / 5f }, t.Data);
        var unit = new Preprocessing().Apply(image).Tensor;
        Assert.Equal(10 / 255f, unit[0, 0, 0, 0]);
        Assert.Equal(1f, unit[0, 0, 0, 1]);
    }

    public static TheoryData<Preprocessing, string> InvalidSpecs => new()
    {
        { Preprocessing.Torchvision() with { Std = [0.229f, 0f, 0.225f] }, "Std[1] = 0 is invalid; Std values must be positive finite numbers" },
        { Preprocessing.Torchvision() with { Mean = [0.5f, 0.5f] }, "Mean has 2 values; it needs exactly 3" },
        { Preprocessing.Torchvision() with { Std = [1f, 1f, 1f, 1f] }, "Std has 4 values; it needs exactly 3" },
        { Preprocessing.Torchvision() with { Mean = [float.NaN, 0f, 0f] }, "Mean[0] = NaN is invalid" },
        { Preprocessing.Torchvision() with { ResizeShorter = 0 }, "ResizeShorter = 0 is invalid; the shorter side must be a positive number" },
        { Preprocessing.Caffe() with { ResizeWidth = -5 }, "ResizeWidth = -5 is invalid" },
        { Preprocessing.Torchvision() with { CropWidth = 0, CropHeight = 0 }, "CropWidth = 0 is invalid" },
        { Preprocessing.Torchvision() with { CropHeight = null }, "CropWidth is 224 but CropHeight is not set" },
        { Preprocessing.Torchvision() with { CropWidth = 300, CropHeight = 300 }, "centre crop 300×300 cannot fit an image whose shorter side is resized to 256" },
        { Preprocessing.Caffe() with { CropWidth = 228, CropHeight = 100 }, "centre crop 228×100 is larger than the exact resize 227×227" },
        { Preprocessing.Torchvision() with { Scale = 0 }, "Scale = 0 is invalid" },
        { Preprocessing.Torchvision() with { ChannelOrder = (ChannelOrder)7 }, "ChannelOrder = 7 is invalid; use Rgb or Bgr" },
    };

    [Theory]
    [MemberData(nameof(InvalidSpecs))]
    public void Invalid_specs_name_the_field_the_value_and_what_is_valid(Preprocessing spec, string message)
    {
        var e = Assert.Throws<EvalHarnessException>(spec.Validate);
        Assert.Contains(message, e.Message);
        Assert.Throws<EvalHarnessException>(() => spec.Apply(new Image(300, 300)));
    }

    [Fact]
    public void A_crop_larger_than_the_resized_image_is_refused_at_apply_time()
    {
        // Shorter side 100 → a 400×100 image stays 400×100; a 150×90 crop cannot fit its height.
        var p = new Preprocessing { Resize = ResizeMode.ShorterSide, ResizeShorter = 100, CropWidth = 150, CropHeight = 90 };
        var e = Assert.Throws<EvalHarnessException>(() => p.Apply(new Image(100, 400)));
        Assert.Contains("150×90 is larger than the 100×400 image", e.Message);
    }

    [Fact]
    public void Transform_maps_boxes_into_the_input_frame_and_clips_to_the_crop()
    {
        // 500×375 → Resize(256) → 341×256 (scale 341/500, 256/375) → CenterCrop(224): left round(58.5) = 58, top 16.
        var t = Preprocessing.Torchvision().Plan(500, 375);
        Assert.Equal(new InputTransform(500, 375, 341, 256, 58, 16, 224, 224), t);
        double sx = 341.0 / 500, sy = 256.0 / 375;
        var box = t.MapBox(100, 75, 300, 300)!.Value;
        Assert.Equal(100 * sx - 58, box.X0, 9);
        Assert.Equal(75 * sy - 16, box.Y0, 9);
        Assert.Equal(300 * sx - 58, box.X1, 9);
        Assert.Equal(300 * sy - 16, box.Y1, 9);
        // A box over the whole image becomes the whole crop; one inside the cut-off margin disappears.
        Assert.Equal((0.0, 0.0, 224.0, 224.0), t.MapBox(0, 0, 500, 375)!.Value);
        Assert.Null(t.MapBox(0, 0, 40, 375));
        var (x, y) = t.MapPointToSource(box.X0, box.Y0);
        Assert.Equal(100, x, 9);
        Assert.Equal(75, y, 9);
        Assert.Throws<EvalHarnessException>(() => t.MapBox(10, 10, 5, 20));
        // Caffe: exact 227×227 from 454×227 halves x and keeps y.
        var c = Preprocessing.Caffe().Plan(454, 227);
        Assert.Equal((50.0, 10.0, 100.0, 20.0), c.MapBox(100, 10, 200, 20)!.Value);
    }

    [Fact]
    public void Batch_equals_single_images_stacked()
    {
        var p = Preprocessing.Torchvision(resize: 40, crop: 32);
        var a = Png.Read(IoFixtures.Path("resize", "odd_101x77.png"));
        var b = Png.Read(IoFixtures.Path("resize", "odd_37x23.png"));
        var batch = p.ApplyBatch([a, b]);
        Assert.Equal(new[] { 2, 3, 32, 32 }, batch.Tensor.ShapeArray);
        Assert.Equal(p.Apply(a).Tensor.Data, batch.Tensor.Sample(0).ToArray());
        Assert.Equal(p.Apply(b).Tensor.Data, batch.Tensor.Sample(1).ToArray());
        Assert.Equal(p.Plan(37, 23), batch.Transforms[1]);
        var noCrop = new Preprocessing { Resize = ResizeMode.ShorterSide, ResizeShorter = 20 };
        var e = Assert.Throws<ShapeException>(() => noCrop.ApplyBatch([a, b]));
        Assert.Contains("add a centre crop or an exact resize", e.Message);
    }

    [Fact]
    public void Antialias_off_uses_the_tensor_path()
    {
        var image = Png.Read(IoFixtures.Path("resize", "odd_101x77.png"));
        var p = new Preprocessing { Resize = ResizeMode.Exact, ResizeWidth = 13, ResizeHeight = 9, Antialias = false, Scale = 1 };
        var t = p.Apply(image).Tensor;
        var expected = (byte[])Npy.Read(IoFixtures.Path("resize", "odd_101x77.tensor13x9.npy")).Data;
        float max = 0;
        for (int y = 0; y < 9; y++)
        for (int x = 0; x < 13; x++)
        for (int c = 0; c < 3; c++)
            max = Math.Max(max, Math.Abs(t[0, c, y, x] - expected[(y * 13 + x) * 3 + c]));
        Assert.True(max <= 1, $"max difference {max}");
    }
}
