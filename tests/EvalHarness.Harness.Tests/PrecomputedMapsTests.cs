using EvalHarness.Engine;
using EvalHarness.Engine.Io;
using EvalHarness.Harness.Methods;

namespace EvalHarness.Harness.Tests;

public sealed class PrecomputedMapsTests
{
    private static Dictionary<string, string> P(params (string, string)[] p) => p.ToDictionary(x => x.Item1, x => x.Item2);

    private static Tensor Images(int n, int h, int w) => new(n, 3, h, w);

    [Fact]
    public void RoundTripOfFloat32AndFloat64MapsInBatchOrder()
    {
        using var t = new TempFolder();
        var a = new Tensor([1f, 2f, 3f, float.NaN, 5f, 6f], 2, 3);
        Npy.Write(Path.Combine(t.Path, "img_a.npy"), a);
        Npy.Write(Path.Combine(t.Path, "img_b.npy"), new NpyArray("<f8", [1, 2, 3], new[] { 0.5, -1.0, 1e-40, 7.0, 8.0, 9.0 }));
        var method = new PrecomputedMaps(P(("folder", t.Path)));
        Assert.Equal("precomputed", method.Descriptor.Name);
        Assert.False(method.Descriptor.NeedsTargetLayer);
        var r = method.Explain(TestGraphs.Context(["img_b", "img_a"]), Images(2, 2, 3), [0, 0]);
        Assert.Equal([2, 2, 3], r.Maps.ShapeArray);
        Assert.Equal([0.5f, -1f, (float)1e-40, 7f, 8f, 9f], r.Maps.Data[..6]);
        Assert.Equal([1f, 2f, 3f], r.Maps.Data[6..9]);
        Assert.True(float.IsNaN(r.Maps.Data[9]));
    }

    [Fact]
    public void PatternWithTargetAndSubfolder()
    {
        using var t = new TempFolder();
        t.Sub("maps");
        Npy.Write(Path.Combine(t.Path, "maps", "x_class7.npy"), new Tensor([4f], 1, 1));
        var method = new PrecomputedMaps(P(("folder", t.Path), ("pattern", "maps/{id}_class{target}.npy")));
        Assert.Equal([4f], method.Explain(TestGraphs.Context(["x"]), Images(1, 1, 1), [7]).Maps.Data);
        method.CheckAvailable(["nope"]); // depends on the target: checked only when explaining
    }

    [Fact]
    public void WrongSizeIsAnErrorUnlessResizeIsBilinear()
    {
        using var t = new TempFolder();
        var file = Path.Combine(t.Path, "x.npy");
        Npy.Write(file, new Tensor([0f, 1f, 2f, 3f], 2, 2));
        var strict = new PrecomputedMaps(P(("folder", t.Path)));
        var e = Assert.Throws<ShapeException>(() => strict.Explain(TestGraphs.Context(["x"]), Images(1, 4, 4), [0]));
        Assert.Contains(file, e.Message);
        Assert.Contains("[2×2]", e.Message);
        Assert.Contains("4×4", e.Message);
        Assert.Contains("resize: bilinear", e.Message);

        var resized = new PrecomputedMaps(P(("folder", t.Path), ("resize", "bilinear")));
        var r = resized.Explain(TestGraphs.Context(["x"]), Images(1, 4, 4), [0]);
        // torch.nn.functional.interpolate([[0, 1], [2, 3]], size=4, mode="bilinear", align_corners=False), by hand:
        // source coordinate (i + ½)/2 − ½ clamped at 0: −0.25→0, 0.25, 0.75, 1.25→1.
        float[] expected = [0f, 0.25f, 0.75f, 1f, 0.5f, 0.75f, 1.25f, 1.5f, 1.5f, 1.75f, 2.25f, 2.5f, 2f, 2.25f, 2.75f, 3f];
        Assert.Equal(expected, r.Maps.Data);
    }

    [Fact]
    public void BadFilesAreNamed()
    {
        using var t = new TempFolder();
        var ints = Path.Combine(t.Path, "i.npy");
        Npy.Write(ints, new NpyArray("<i4", [1, 1], new[] { 3 }));
        var two = Path.Combine(t.Path, "two.npy");
        Npy.Write(two, new Tensor(2, 1, 1));
        var method = new PrecomputedMaps(P(("folder", t.Path)));
        var e = Assert.Throws<FileFormatException>(() => method.Explain(TestGraphs.Context(["i"]), Images(1, 1, 1), [0]));
        Assert.Equal(ints, e.Path);
        Assert.Contains("<i4", e.Message);
        e = Assert.Throws<FileFormatException>(() => method.Explain(TestGraphs.Context(["two"]), Images(1, 1, 1), [0]));
        Assert.Equal(two, e.Path);
        Assert.Contains("[2×1×1]", e.Message);
        t.Write("junk.npy", "junk");
        Assert.Throws<FileFormatException>(() => method.Explain(TestGraphs.Context(["junk"]), Images(1, 1, 1), [0]));
    }

    [Fact]
    public void MissingMapsNameTheIdThePathAndHowManyOthers()
    {
        using var t = new TempFolder();
        Npy.Write(Path.Combine(t.Path, "b.npy"), new Tensor(1, 1));
        var method = new PrecomputedMaps(P(("folder", t.Path)));
        var e = Assert.Throws<EvalHarnessException>(() => method.Explain(TestGraphs.Context(["a", "b", "c", "d"]), Images(4, 1, 1), [0, 0, 0, 0]));
        Assert.Contains("no map for the image 'a'", e.Message);
        Assert.Contains(Path.Combine(t.Path, "a.npy"), e.Message);
        Assert.Contains("2 other images of this batch have no map either", e.Message);

        var all = Assert.Throws<EvalHarnessException>(() => method.CheckAvailable(["b", "z"]));
        Assert.Contains("'z'", all.Message);
        Assert.DoesNotContain("other", all.Message);
        method.CheckAvailable(["b"]);

        var noIds = Assert.Throws<EvalHarnessException>(() => method.Explain(TestGraphs.Context(null), Images(1, 1, 1), [0]));
        Assert.Contains("ImageIds", noIds.Message);
        var count = Assert.Throws<EvalHarnessException>(() => method.Explain(TestGraphs.Context(["b"]), Images(2, 1, 1), [0, 0]));
        Assert.Contains("2 images but 1 image ids", count.Message);
    }

    [Theory]
    [InlineData(null, null, null, "needs the parameter 'folder'")]
    [InlineData("missing-folder", null, null, "does not exist")]
    [InlineData(".", "maps.npy", null, "must contain {id}")]
    [InlineData(".", "{id}_{class}.npy", null, "unknown placeholder {class}")]
    [InlineData(".", null, "nearest", "Valid values: none, bilinear")]
    public void BadParameters(string? folder, string? pattern, string? resize, string expected)
    {
        using var t = new TempFolder();
        var p = new Dictionary<string, string>();
        if (folder != null) p["folder"] = Path.Combine(t.Path, folder);
        if (pattern != null) p["pattern"] = pattern;
        if (resize != null) p["resize"] = resize;
        var e = Assert.ThrowsAny<EvalHarnessException>(() => new PrecomputedMaps(p));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void UnknownParameterIsRefused()
    {
        using var t = new TempFolder();
        var e = Assert.ThrowsAny<EvalHarnessException>(() => new PrecomputedMaps(P(("folder", t.Path), ("patern", "{id}.npy"))));
        Assert.Contains("'patern'", e.Message);
        Assert.Contains("pattern", e.Message);
    }
}
