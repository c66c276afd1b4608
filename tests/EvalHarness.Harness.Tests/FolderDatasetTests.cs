using EvalHarness.Engine;
using EvalHarness.Harness.Datasets;

namespace EvalHarness.Harness.Tests;

public sealed class FolderDatasetTests
{
    private static TempFolder Fixture(string manifest)
    {
        var t = new TempFolder();
        t.Image("images/b.png");
        t.Image("images/sub/a.png");
        t.Image("images/c, d.png");
        t.Write("manifest.csv", manifest);
        return t;
    }

    [Fact]
    public void ReadsFilesLabelsAndHalfOpenBoxes()
    {
        using var t = Fixture("file,label,boxes\nb.png,7,0 0 6 4;3:1.5 1 2.5 2\nsub/a.png,2\n\"c, d.png\",,5:0 0 1 1\n");
        var ds = DatasetCatalog.Create(t.Spec("folder", ("root", "."), ("classes", "10")));
        Assert.Equal(10, ds.Classes);
        Assert.Equal(["a", "b", "c, d"], ds.Items.Select(i => i.Id));
        Assert.Equal(2, ds.Items[0].Label);
        Assert.Empty(ds.Items[0].Boxes);
        Assert.Equal(7, ds.Items[1].Label);
        Assert.Equal([new SourceBox(7, 0, 0, 6, 4), new SourceBox(3, 1.5, 1, 2.5, 2)], ds.Items[1].Boxes);
        Assert.Equal(-1, ds.Items[2].Label);
        Assert.Equal([new SourceBox(5, 0, 0, 1, 1)], ds.Items[2].Boxes);
        Assert.Equal(6, ds.Load(ds.Items[0]).Width);
    }

    [Fact]
    public void HeaderIsOptionalAndClassesDefaultTo1000()
    {
        using var t = Fixture("b.png,999\n");
        var ds = DatasetCatalog.Create(t.Spec("folder", ("images", "images"), ("manifest", "manifest.csv")));
        Assert.Equal(1000, ds.Classes);
        Assert.Equal(999, Assert.Single(ds.Items).Label);
    }

    [Theory]
    [InlineData("b.png,1000\n", "line 1: the label '1000' is not a class index in 0..999")]
    [InlineData("file,label\nb.png,x\n", "line 2: the label 'x'")]
    [InlineData("file,label,boxes\nb.png,1,0 0 1\n", "line 2: box 1 '0 0 1' needs 4 numbers")]
    [InlineData("file,label,boxes\nb.png,1,0 0 1 1;2 2 2 3\n", "line 2: box 2 '2 2 2 3' is empty")]
    [InlineData("file,label,boxes\nb.png,1,1000:0 0 1 1\n", "line 2: box 1 has the class '1000'")]
    [InlineData("file,label,boxes\nb.png,,0 0 1 1\n", "line 2: box 1 has no class and the image has no label")]
    [InlineData("file,label,boxes\nb.png,1,0 0 1 q\n", "line 2: box 1 y1 is 'q'")]
    [InlineData("file,label,boxes,extra\nb.png,1\n", "line 1: the header")]
    [InlineData("b.png,1,,x\n", "line 1: expected 2 or 3 fields")]
    [InlineData("\"b.png,1\n", "line 1: a quoted field is not closed")]
    [InlineData("b.png,1\nsub/b.jpg,2\n", "line 2: the file 'sub/b.jpg' has the id 'b' of 'b.png' (line 1)")]
    [InlineData("file,label\n", "lists no images")]
    public void MalformedManifestLinesNameFileAndLine(string manifest, string expected)
    {
        using var t = Fixture(manifest);
        var e = Assert.Throws<FileFormatException>(() => DatasetCatalog.Create(t.Spec("folder", ("root", "."))));
        Assert.EndsWith("manifest.csv", e.Path);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void MissingFilesAndBadFields()
    {
        using var t = Fixture("b.png,1\nnope.png,1\nsub/none.png,1\n");
        var e = Assert.Throws<EvalHarnessException>(() => DatasetCatalog.Create(t.Spec("folder", ("root", "."))));
        Assert.Contains("2 of the 3 images listed", e.Message);
        Assert.Contains("'nope.png', 'sub/none.png'", e.Message);

        var c = Assert.Throws<EvalHarnessException>(() => DatasetCatalog.Create(t.Spec("folder", ("root", "."), ("classes", "0"))));
        Assert.Contains("cfg.yaml:4:5: dataset.classes", c.Message);
        Assert.Contains("positive integer", c.Message);

        var f = Assert.Throws<EvalHarnessException>(() => DatasetCatalog.Create(t.Spec("folder", ("root", "."), ("manifests", "m.csv"))));
        Assert.Contains("Did you mean: manifest?", f.Message);
        Assert.Contains("Its fields: manifest, root, images, classes.", f.Message);

        var m = Assert.Throws<EvalHarnessException>(() => DatasetCatalog.Create(t.Spec("folder", ("images", "images"))));
        Assert.Contains("dataset.manifest", m.Message);
        Assert.Contains("needs the field 'manifest'", m.Message);
    }
}
