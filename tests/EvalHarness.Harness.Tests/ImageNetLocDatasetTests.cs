using EvalHarness.Engine;
using EvalHarness.Harness.Datasets;

namespace EvalHarness.Harness.Tests;

public sealed class ImageNetLocDatasetTests
{
    private const string Synsets = "n01440764 tench, Tinca tinca\nn01443537 goldfish\nn01484850 great white shark\n";

    private static TempFolder Fixture(string solution, string[]? images = null)
    {
        var t = new TempFolder();
        t.Write("LOC_synset_mapping.txt", Synsets);
        t.Write("LOC_val_solution.csv", solution);
        foreach (var id in images ?? ["ILSVRC2012_val_00000002", "ILSVRC2012_val_00000001"])
            t.Image($"images/{id}.png");
        return t;
    }

    [Fact]
    public void ReadsRowsSortedByIdWithLabelsAndInclusiveBoxes()
    {
        using var t = Fixture("ImageId,PredictionString\n" +
            "ILSVRC2012_val_00000002,n01484850 0 1 4 2 n01484850 2 0 5 3\n" +
            "ILSVRC2012_val_00000001,n01443537 1 1 1 1\n");
        var ds = DatasetCatalog.Create(t.Spec("imagenet-loc", ("root", ".")));
        Assert.Equal("imagenet-loc", ds.Kind);
        Assert.Equal(3, ds.Classes);
        Assert.Equal(["ILSVRC2012_val_00000001", "ILSVRC2012_val_00000002"], ds.Items.Select(i => i.Id));
        var a = ds.Items[0];
        Assert.Equal(1, a.Label);
        // 0-based inclusive 1..1 is the single pixel [1, 2).
        Assert.Equal([new SourceBox(1, 1, 1, 2, 2)], a.Boxes);
        var b = ds.Items[1];
        Assert.Equal(2, b.Label);
        Assert.Equal([new SourceBox(2, 0, 1, 5, 3), new SourceBox(2, 2, 0, 6, 4)], b.Boxes);
        Assert.Equal(Path.Combine(t.Path, "images", "ILSVRC2012_val_00000001.png"), a.Path);
        var image = ds.Load(a);
        Assert.Equal((6, 4), (image.Width, image.Height));
        Assert.Contains(t.Path, ds.Source);
    }

    [Fact]
    public void MixedSynsetsTakeTheFirstAsLabelAndKeepEveryBoxClass()
    {
        using var t = Fixture("ImageId,PredictionString\n" +
            "ILSVRC2012_val_00000001,n01443537 0 0 1 1 n01440764 2 2 3 3\nILSVRC2012_val_00000002,n01440764 0 0 1 1\n");
        var item = DatasetCatalog.Create(t.Spec("imagenet-loc", ("root", "."))).Items[0];
        Assert.Equal(1, item.Label);
        Assert.Equal([1, 0], item.Boxes.Select(b => b.Class));
    }

    [Fact]
    public void ExplicitFieldsAndTheKaggleLayoutUnderRoot()
    {
        using var t = new TempFolder();
        t.Write("meta/map.txt", Synsets);
        t.Write("meta/sol.csv", "ImageId,PredictionString\nx1,n01440764 0 0 1 1\n");
        t.Image("somewhere/cls/x1.png");
        var ds = DatasetCatalog.Create(t.Spec("IMAGENET-LOC", ("images", "somewhere"), ("solution", "meta/sol.csv"), ("synsets", "meta/map.txt")));
        Assert.Single(ds.Items);

        using var k = new TempFolder();
        k.Write("LOC_synset_mapping.txt", Synsets);
        k.Write("LOC_val_solution.csv", "ImageId,PredictionString\nx1,n01440764 0 0 1 1\n");
        k.Image("ILSVRC/Data/CLS-LOC/val/x1.png");
        Assert.Single(DatasetCatalog.Create(k.Spec("imagenet-loc", ("root", k.Path))).Items);
    }

    [Fact]
    public void MissingImagesAreListedWithTheirCount()
    {
        var ids = Enumerable.Range(1, 9).Select(i => $"ILSVRC2012_val_0000000{i}").ToArray();
        using var t = Fixture("ImageId,PredictionString\n" + string.Concat(ids.Select(i => $"{i},n01440764 0 0 1 1\n")), images: ["ILSVRC2012_val_00000001"]);
        var e = Assert.Throws<EvalHarnessException>(() => DatasetCatalog.Create(t.Spec("imagenet-loc", ("root", "."))));
        Assert.Contains("8 of the 9 images", e.Message);
        Assert.Contains("'ILSVRC2012_val_00000002'", e.Message);
        Assert.Contains("'ILSVRC2012_val_00000006'", e.Message);
        Assert.DoesNotContain("'ILSVRC2012_val_00000007'", e.Message);
        Assert.Contains("and 3 more", e.Message);
        Assert.Contains("LOC_val_solution.csv", e.Message);
        Assert.Contains("remove their entries", e.Message);
    }

    [Theory]
    [InlineData("ImageId,Prediction\nx,n01440764 0 0 1 1\n", "line 1")]
    [InlineData("ImageId,PredictionString\nx,n01440764 0 0 1\n", "line 2: the PredictionString has 4 values")]
    [InlineData("ImageId,PredictionString\nx,n01440764 0 0 1 1\ny,n09999999 0 0 1 1\n", "line 3: box 1 has the synset 'n09999999'")]
    [InlineData("ImageId,PredictionString\nx,n01440764 0 a 1 1\n", "line 2: y0 is 'a'")]
    [InlineData("ImageId,PredictionString\nx,n01440764 5 0 1 1\n", "line 2: box 1")]
    [InlineData("ImageId,PredictionString\nx,\n", "line 2: the image 'x' has no boxes")]
    [InlineData("ImageId,PredictionString\nx,n01440764 0 0 1 1\nx,n01440764 0 0 1 1\n", "line 3: the image 'x' was already listed on line 2")]
    [InlineData("ImageId,PredictionString\nx,n01440764 0 0 1 1,extra\n", "line 2: expected 2 fields")]
    public void MalformedSolutionLinesNameFileAndLine(string csv, string expected)
    {
        using var t = Fixture(csv, images: ["x", "y"]);
        var e = Assert.Throws<FileFormatException>(() => DatasetCatalog.Create(t.Spec("imagenet-loc", ("root", "."))));
        Assert.EndsWith("LOC_val_solution.csv", e.Path);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void BadSynsetMappingNamesTheLine()
    {
        using var t = Fixture("ImageId,PredictionString\nx,n01440764 0 0 1 1\n", images: ["x"]);
        t.Write("LOC_synset_mapping.txt", "n01440764 tench\n\nn01443537 goldfish\n");
        var e = Assert.Throws<FileFormatException>(() => DatasetCatalog.Create(t.Spec("imagenet-loc", ("root", "."))));
        Assert.Contains("line 2 is empty", e.Message);
        t.Write("LOC_synset_mapping.txt", "n01440764 tench\nn01440764 again\n");
        e = Assert.Throws<FileFormatException>(() => DatasetCatalog.Create(t.Spec("imagenet-loc", ("root", "."))));
        Assert.Contains("line 2: the synset 'n01440764' was already given on line 1", e.Message);
    }

    [Fact]
    public void UnknownFieldIsNamedWithItsPlaceAndTheValidFieldsNearestFirst()
    {
        using var t = Fixture("ImageId,PredictionString\nx,n01440764 0 0 1 1\n", images: ["x"]);
        var e = Assert.Throws<EvalHarnessException>(() => DatasetCatalog.Create(t.Spec("imagenet-loc", ("root", "."), ("solutoin", "a.csv"))));
        Assert.Contains("cfg.yaml:4:5: dataset.solutoin", e.Message);
        Assert.Contains("has no field 'solutoin'", e.Message);
        Assert.Contains("Did you mean: solution?", e.Message);
        Assert.Contains("Its fields: solution, root, images, synsets.", e.Message);
    }

    [Fact]
    public void MissingFilesAndFoldersNameTheFieldAndThePath()
    {
        using var t = Fixture("ImageId,PredictionString\nx,n01440764 0 0 1 1\n", images: ["x"]);
        var e = Assert.Throws<EvalHarnessException>(() => DatasetCatalog.Create(t.Spec("imagenet-loc", ("root", "."), ("solution", "nope.csv"))));
        Assert.Contains("dataset.solution", e.Message);
        Assert.Contains(Path.Combine(t.Path, "nope.csv"), e.Message);
        e = Assert.Throws<EvalHarnessException>(() => DatasetCatalog.Create(t.Spec("imagenet-loc", ("root", "."), ("images", "pics"))));
        Assert.Contains("dataset.images", e.Message);
        Assert.Contains(Path.Combine(t.Path, "pics"), e.Message);
        e = Assert.Throws<EvalHarnessException>(() => DatasetCatalog.Create(t.Spec("imagenet-loc", ("root", "elsewhere"))));
        Assert.Contains("dataset.root", e.Message);
        e = Assert.Throws<EvalHarnessException>(() => DatasetCatalog.Create(t.Spec("imagenet-loc", ("images", "images"))));
        Assert.Contains("needs the field 'solution'", e.Message);
        File.Delete(Path.Combine(t.Path, "LOC_synset_mapping.txt"));
        e = Assert.Throws<EvalHarnessException>(() => DatasetCatalog.Create(t.Spec("imagenet-loc", ("root", "."))));
        Assert.Contains("synsets", e.Message);
        Assert.Contains("LOC_synset_mapping.txt", e.Message);
    }

    [Fact]
    public void DuplicateImageStemsNameBothFiles()
    {
        using var t = Fixture("ImageId,PredictionString\nx,n01440764 0 0 1 1\n", images: ["x"]);
        t.Image("images/sub/x.png");
        var e = Assert.Throws<EvalHarnessException>(() => DatasetCatalog.Create(t.Spec("imagenet-loc", ("root", "."))));
        Assert.Contains(Path.Combine(t.Path, "images", "x.png"), e.Message);
        Assert.Contains(Path.Combine(t.Path, "images", "sub", "x.png"), e.Message);
    }

    [Fact]
    public void UnknownKindNamesTheNearestKinds()
    {
        var e = Assert.Throws<UnknownNameException>(() => DatasetCatalog.Create(new DatasetSpec("imagenet-lco", new Dictionary<string, string>(), ".")));
        Assert.Contains("Did you mean: imagenet-loc", e.Message);
        Assert.Contains("folder", e.Message);
    }

    [Fact]
    public void CorruptImageIsAFileFormatErrorNamingIt()
    {
        using var t = Fixture("ImageId,PredictionString\nx,n01440764 0 0 1 1\n", images: []);
        var bad = t.Write("images/x.png", "not an image");
        var ds = DatasetCatalog.Create(t.Spec("imagenet-loc", ("root", ".")));
        var e = Assert.Throws<FileFormatException>(() => ds.Load(ds.Items[0]));
        Assert.Equal(bad, e.Path);
    }
}
