using EvalHarness.Engine.Io;
using EvalHarness.Saliency;

namespace EvalHarness.Cli.Tests;

/// <summary><c>explain --method &lt;method&gt;+ge</c> and the listing of the wrapper.</summary>
public sealed class GradualExtrapolationCliTests : IDisposable
{
    private readonly TinyModel _tiny = new();

    public void Dispose() => _tiny.Dispose();

    [Fact]
    public void Explain_resolves_a_ge_method_and_writes_the_catalog_map()
    {
        var image = _tiny.WritePng("dog.png", 80, 70, 21);
        string map = _tiny.Dir.File("ge/map.npy"), raw = _tiny.Dir.File("ge/raw.npy");
        var run = CliRun.Of("explain", "-m", _tiny.Config, "--image", image, "--method", "GradCAM+GE",
            "--param", "ge-layers=before-map", "--out", map, "--raw-out", raw).Ok();

        var model = _tiny.Load();
        var x = model.Prepare(ImageFile.Read(image)).Tensor;
        int predicted = Array.IndexOf(model.Logits(x).Data, model.Logits(x).Data.Max());
        var direct = SaliencyCatalog.Create("gradcam+ge", new Dictionary<string, string> { ["ge-layers"] = "before-map" })
            .Explain(new ExplainContext { Graph = model.Graph, TargetLayer = "features.12" }, x, [predicted]);
        var plain = SaliencyCatalog.Create("gradcam")
            .Explain(new ExplainContext { Graph = model.Graph, TargetLayer = "features.12" }, x, [predicted]);

        var m = Npy.Read(map);
        Assert.Equal([TinyModel.Size, TinyModel.Size], m.Shape);
        Assert.Equal(direct.Maps.Data, (float[])m.Data);
        Assert.NotEqual(plain.Maps.Data, (float[])m.Data);
        Assert.All((float[])m.Data, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(plain.RawMaps!.Data, (float[])Npy.Read(raw).Data); // the coarse map is Grad-CAM's
        Assert.Contains("gradcam+ge v101 on features.12 of tiny", run.Output);
    }

    [Fact]
    public void A_method_without_a_layer_map_is_a_user_error()
    {
        var image = _tiny.WritePng("y.png", 64, 64, 22);
        CliRun.Of("explain", "-m", _tiny.Config, "--image", image, "--method", "gradient+ge", "--out", _tiny.Dir.File("m.npy"))
            .UserError("gradient+ge", "layer's resolution", "gradcam");
    }

    [Fact]
    public void List_methods_says_where_ge_applies()
    {
        var output = CliRun.Of("list", "methods").Ok().Output;
        var line = output.Split('\n').Single(l => l.StartsWith("<method>+ge", StringComparison.Ordinal));
        foreach (var inner in SaliencyCatalog.GradualExtrapolationInners) Assert.Contains(inner, line);
        Assert.Contains("ge-layers", line);
    }
}
