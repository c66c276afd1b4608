using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Io;
using EvalHarness.Saliency;

namespace EvalHarness.Cli.Tests;

public sealed class ExplainTests : IDisposable
{
    private readonly TinyModel _tiny = new();

    public void Dispose() => _tiny.Dispose();

    /// <summary>The result of the method called directly through the catalog, for the same input and class.</summary>
    private static SaliencyResult Direct(Models.LoadedModel model, Tensor x, string method, Dictionary<string, string>? parameters,
        string layer, int target, ulong seed = 0) =>
        SaliencyCatalog.Create(method, parameters).Explain(
            new ExplainContext { Graph = model.Graph, TargetLayer = layer, Seed = seed }, x, [target]);

    [Fact]
    public void Gradcam_writes_the_catalog_map_raw_map_weights_and_a_png()
    {
        var image = _tiny.WritePng("cat.png", 90, 72, 11);
        string map = _tiny.Dir.File("out/map.npy"), raw = _tiny.Dir.File("out/raw.npy"), weights = _tiny.Dir.File("out/alpha.npy"), png = _tiny.Dir.File("out/overlay.png");
        var run = CliRun.Of("explain", "-m", _tiny.Config, "--image", image, "--method", "gradcam",
            "--out", map, "--raw-out", raw, "--weights-out", weights, "--png", png).Ok();

        var model = _tiny.Load();
        var x = model.Prepare(ImageFile.Read(image)).Tensor;
        int predicted = Array.IndexOf(model.Logits(x).Data, model.Logits(x).Data.Max());
        var direct = Direct(model, x, "gradcam", null, "features.12", predicted);

        var m = Npy.Read(map);
        Assert.Equal("<f4", m.DType);
        Assert.Equal([TinyModel.Size, TinyModel.Size], m.Shape);
        Assert.Equal(direct.Maps.Data, (float[])m.Data);
        Assert.All((float[])m.Data, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains((float[])m.Data, v => v > 0.99f);

        var r = Npy.Read(raw);
        Assert.Equal([3, 3], r.Shape); // features.12 of squeezenet1_1 at 64×64
        Assert.Equal(direct.RawMaps!.Data, (float[])r.Data);
        var w = Npy.Read(weights);
        Assert.Equal([512], w.Shape);
        Assert.Equal(direct.ChannelWeights!.Data, (float[])w.Data);

        var overlay = Png.Read(png);
        Assert.Equal((TinyModel.Size, TinyModel.Size), (overlay.Width, overlay.Height));

        Assert.Contains($"gradcam v1 on features.12 of tiny", run.Output);
        Assert.Contains($"target {predicted} (label {predicted}), p = ", run.Output);
        Assert.Contains("(the predicted class)", run.Output);
        Assert.Matches(@"map 64×64 → .* in \d+\.\d{3} s", run.Output);
    }

    [Fact]
    public void A_chosen_class_layer_seed_and_method_parameters_reach_the_method()
    {
        var image = _tiny.WritePng("x.png", 64, 64, 12);
        string map = _tiny.Dir.File("map.npy");
        var run = CliRun.Of("explain", "-m", _tiny.Config, "--image", image, "--method", "ScoreCAM", "--param", "variant=official",
            "--layer", "features.3.squeeze_activation", "--target", "3", "--seed", "9", "--batch-size", "64", "--out", map).Ok();

        var model = _tiny.Load();
        var x = model.Prepare(ImageFile.Read(image)).Tensor;
        var direct = Direct(model, x, "scorecam", new() { ["variant"] = "official" }, "features.3.squeeze_activation", 3, seed: 9);
        Assert.Equal(direct.Maps.Data, (float[])Npy.Read(map).Data);
        Assert.Contains("scorecam v1 on features.3.squeeze_activation", run.Output);
        Assert.Contains("target 3 (label 3)", run.Output);
    }

    [Fact]
    public void A_preprocessed_npy_input_gives_the_same_map_as_its_image()
    {
        var model = _tiny.Load();
        var image = _tiny.WritePng("img.png", 100, 80, 13);
        var npy = _tiny.WriteNpy("img.npy", model.Prepare(ImageFile.Read(image)).Tensor, batchDim: false);
        string a = _tiny.Dir.File("a.npy"), b = _tiny.Dir.File("b.npy");
        CliRun.Of("explain", "-m", _tiny.Config, "--image", image, "--method", "layercam", "--out", a).Ok();
        CliRun.Of("explain", "-m", _tiny.Config, "--image", npy, "--method", "layercam", "--out", b).Ok();
        Assert.Equal((float[])Npy.Read(a).Data, (float[])Npy.Read(b).Data);
    }

    [Fact]
    public void The_overlay_shows_the_resized_and_cropped_image_blended_with_the_colour_map()
    {
        var source = TinyModel.Picture(96, 80, 14);
        var image = _tiny.Dir.File("src.png");
        Png.Write(image, source);
        string map = _tiny.Dir.File("m.npy"), plain = _tiny.Dir.File("alpha0.png"), full = _tiny.Dir.File("alpha1.png"), half = _tiny.Dir.File("half.png");
        CliRun.Of("explain", "-m", _tiny.Config, "--image", image, "--method", "gradcam", "--out", map, "--png", plain, "--alpha", "0").Ok();
        CliRun.Of("explain", "-m", _tiny.Config, "--image", image, "--method", "gradcam", "--out", map, "--png", full, "--alpha", "1").Ok();
        CliRun.Of("explain", "-m", _tiny.Config, "--image", image, "--method", "gradcam", "--out", map, "--png", half).Ok();

        // Reference: PIL-style resize of the shorter side to 73, then the centre 64×64 crop (torchvision's Resize + CenterCrop).
        var (rw, rh) = Resize.ShorterSideSize(96, 80, 73);
        var resized = Resize.Pil(source, rw, rh);
        var (left, top) = Crop.CenterOffsets(rw, rh, TinyModel.Size, TinyModel.Size);
        var seen = Png.Read(plain);
        int worst = 0;
        for (int y = 0; y < TinyModel.Size; y++)
            for (int x = 0; x < TinyModel.Size; x++)
                for (int c = 0; c < 3; c++)
                    worst = Math.Max(worst, Math.Abs(seen.Pixels[(y * 64 + x) * 3 + c] - resized.Pixels[((top + y) * rw + left + x) * 3 + c]));
        Assert.True(worst <= 1, $"the overlay's image differs from the network's view by up to {worst} levels");

        var values = (float[])Npy.Read(map).Data;
        var colours = Png.Read(full);
        var blended = Png.Read(half);
        for (int i = 0; i < values.Length; i += 37)
        {
            var (r, g, b) = Colormap.Map(values[i]);
            Assert.Equal([r, g, b], colours.Pixels[(3 * i)..(3 * i + 3)]);
            for (int c = 0; c < 3; c++)
            {
                double expected = 0.5 * seen.Pixels[3 * i + c] + 0.5 * colours.Pixels[3 * i + c];
                Assert.True(Math.Abs(blended.Pixels[3 * i + c] - expected) <= 1, $"pixel {i} channel {c}");
            }
        }
    }

    [Fact]
    public void Unknown_method_parameters_are_refused_before_anything_is_written()
    {
        var image = _tiny.WritePng("x.png", 64, 64, 15);
        var map = _tiny.Dir.File("never.npy");
        CliRun.Of("explain", "-m", _tiny.Config, "--image", image, "--method", "gradcam", "--param", "smooth=1", "--out", map)
            .UserError("The method 'gradcam' has no parameter 'smooth'", "It takes no parameters");
        Assert.False(File.Exists(map));
    }
}
