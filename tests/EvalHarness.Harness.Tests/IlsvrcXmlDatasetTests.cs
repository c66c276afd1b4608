using EvalHarness.Engine;
using EvalHarness.Harness.Datasets;

namespace EvalHarness.Harness.Tests;

public sealed class IlsvrcXmlDatasetTests
{
    private const string Synsets = "n01440764 tench\nn01443537 goldfish\nn01484850 great white shark\n";

    private static string Xml(string id, params (string Synset, int X0, int Y0, int X1, int Y1)[] objects) =>
        "<annotation>\n\t<folder>val</folder>\n\t<filename>" + id + "</filename>\n\t<size>\n\t\t<width>6</width>\n\t\t<height>4</height>\n\t</size>\n" +
        string.Concat(objects.Select(o =>
            $"\t<object>\n\t\t<name>{o.Synset}</name>\n\t\t<difficult>0</difficult>\n\t\t<bndbox>\n\t\t\t<xmin>{o.X0}</xmin>\n\t\t\t<ymin>{o.Y0}</ymin>\n" +
            $"\t\t\t<xmax>{o.X1}</xmax>\n\t\t\t<ymax>{o.Y1}</ymax>\n\t\t</bndbox>\n\t</object>\n")) +
        "</annotation>\n";

    private static TempFolder Fixture()
    {
        var t = new TempFolder();
        t.Write("LOC_synset_mapping.txt", Synsets);
        t.Write("annotations/ILSVRC2012_val_00000003.xml", Xml("ILSVRC2012_val_00000003", ("n01484850", 0, 1, 5, 3)));
        t.Write("annotations/ILSVRC2012_val_00000001.xml", Xml("ILSVRC2012_val_00000001", ("n01443537", 1, 0, 2, 0), ("n01443537", 3, 1, 4, 2)));
        t.Image("images/ILSVRC2012_val_00000001.png");
        t.Image("images/ILSVRC2012_val_00000003.png");
        return t;
    }

    [Fact]
    public void LabelsFromTheFirstObjectAndZeroBasedInclusiveBoxes()
    {
        using var t = Fixture();
        var ds = DatasetCatalog.Create(t.Spec("ilsvrc-xml", ("root", ".")));
        Assert.Equal(3, ds.Classes);
        Assert.Equal(["ILSVRC2012_val_00000001", "ILSVRC2012_val_00000003"], ds.Items.Select(i => i.Id));
        Assert.Equal(1, ds.Items[0].Label);
        Assert.Equal([new SourceBox(1, 1, 0, 3, 1), new SourceBox(1, 3, 1, 5, 3)], ds.Items[0].Boxes);
        Assert.Equal(2, ds.Items[1].Label);
        Assert.Equal([new SourceBox(2, 0, 1, 6, 4)], ds.Items[1].Boxes);
    }

    [Fact]
    public void SynsetLabelsByImageNumber()
    {
        using var t = Fixture();
        t.Write("val_synsets.txt", "n01440764\nn01440764\nn01443537\n");
        var ds = DatasetCatalog.Create(t.Spec("ilsvrc-xml", ("root", "."), ("labels", "val_synsets.txt")));
        Assert.Equal([0, 1], ds.Items.Select(i => i.Label));
        Assert.Contains("labels", ds.Source);
    }

    [Fact]
    public void DevkitIdsMapThroughIdSynsets()
    {
        using var t = Fixture();
        // Devkit order differs from the sorted order: ID 1 = n01484850 (class 2), ID 2 = n01440764 (class 0), ID 3 = n01443537 (class 1).
        t.Write("ids.txt", "n01484850\nn01440764\nn01443537\n");
        t.Write("ILSVRC2012_validation_ground_truth.txt", "2\n3\n1\n");
        var ds = DatasetCatalog.Create(t.Spec("ilsvrc-xml", ("root", "."), ("labels", "ILSVRC2012_validation_ground_truth.txt"), ("id_synsets", "ids.txt")));
        Assert.Equal([0, 2], ds.Items.Select(i => i.Label));

        var e = Assert.Throws<FileFormatException>(() =>
            DatasetCatalog.Create(t.Spec("ilsvrc-xml", ("root", "."), ("labels", "ILSVRC2012_validation_ground_truth.txt"))));
        Assert.Contains("line 1", e.Message);
        Assert.Contains("id_synsets", e.Message);

        t.Write("short.txt", "1\n");
        var e2 = Assert.Throws<EvalHarnessException>(() =>
            DatasetCatalog.Create(t.Spec("ilsvrc-xml", ("root", "."), ("labels", "short.txt"), ("id_synsets", "ids.txt"))));
        Assert.Contains("ILSVRC2012_val_00000003", e2.Message);
        Assert.Contains("line 3", e2.Message);

        t.Write("far.txt", "7\n");
        var e3 = Assert.Throws<FileFormatException>(() =>
            DatasetCatalog.Create(t.Spec("ilsvrc-xml", ("root", "."), ("labels", "far.txt"), ("id_synsets", "ids.txt"))));
        Assert.Contains("ILSVRC2012_ID 7 is outside 1..3", e3.Message);
    }

    [Fact]
    public void ImageWithoutObjectsNeedsALabelsFile()
    {
        using var t = Fixture();
        var path = t.Write("annotations/ILSVRC2012_val_00000002.xml", Xml("ILSVRC2012_val_00000002"));
        t.Image("images/ILSVRC2012_val_00000002.png");
        var e = Assert.Throws<FileFormatException>(() => DatasetCatalog.Create(t.Spec("ilsvrc-xml", ("root", "."))));
        Assert.Equal(path, e.Path);
        Assert.Contains("no <object>", e.Message);
        t.Write("labels.txt", "n01440764\nn01443537\nn01484850\n");
        var ds = DatasetCatalog.Create(t.Spec("ilsvrc-xml", ("root", "."), ("labels", "labels.txt")));
        Assert.Empty(ds.Items[1].Boxes);
        Assert.Equal(1, ds.Items[1].Label);
    }

    [Theory]
    [InlineData("<annotation>\n<object>\n<name>n01440764</name>\n<bndbox><xmin>1</xmin>\n</annotation>", "line 5")]
    [InlineData("<annotation>\n<object>\n<name>n01440764</name>\n<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax></bndbox></object></annotation>", "line 4: the <bndbox> has no <ymax>")]
    [InlineData("<annotation>\n<object>\n<name>n01440764</name>\n<bndbox>\n<xmin>1</xmin><ymin>x</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object></annotation>", "line 5: <ymin> is 'x'")]
    [InlineData("<annotation>\n<object>\n<name>n07777777</name>\n<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object></annotation>", "line 3: the synset 'n07777777'")]
    [InlineData("<annotation>\n<object>\n<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object></annotation>", "line 2: the <object> has no <name>")]
    [InlineData("<annotation>\n<object>\n<name>n01440764</name>\n</object></annotation>", "line 2: the <object> has no <bndbox>")]
    [InlineData("<annotation>\n<object>\n<name>n01440764</name>\n<bndbox><xmin>3</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object></annotation>", "line 4: the box")]
    [InlineData("<other/>", "line 1: the root element is <other>")]
    public void MalformedXmlNamesFileAndLine(string xml, string expected)
    {
        using var t = Fixture();
        var path = t.Write("annotations/ILSVRC2012_val_00000002.xml", xml);
        t.Image("images/ILSVRC2012_val_00000002.png");
        var e = Assert.Throws<FileFormatException>(() => DatasetCatalog.Create(t.Spec("ilsvrc-xml", ("root", "."))));
        Assert.Equal(path, e.Path);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void MissingImagesAndBadFields()
    {
        using var t = Fixture();
        t.Write("annotations/ILSVRC2012_val_00000002.xml", Xml("ILSVRC2012_val_00000002", ("n01440764", 0, 0, 1, 1)));
        var e = Assert.Throws<EvalHarnessException>(() => DatasetCatalog.Create(t.Spec("ilsvrc-xml", ("root", "."))));
        Assert.Contains("1 of the 3 images", e.Message);
        Assert.Contains("'ILSVRC2012_val_00000002'", e.Message);

        var f = Assert.Throws<EvalHarnessException>(() => DatasetCatalog.Create(t.Spec("ilsvrc-xml", ("root", "."), ("label", "x.txt"))));
        Assert.Contains("cfg.yaml:4:5: dataset.label", f.Message);
        Assert.Contains("Did you mean: labels", f.Message);

        var g = Assert.Throws<EvalHarnessException>(() => DatasetCatalog.Create(t.Spec("ilsvrc-xml", ("root", "."), ("id_synsets", "LOC_synset_mapping.txt"))));
        Assert.Contains("dataset.id_synsets", g.Message);

        var h = Assert.Throws<EvalHarnessException>(() => DatasetCatalog.Create(t.Spec("ilsvrc-xml", ("root", "."), ("annotations", "LOC_synset_mapping.txt"))));
        Assert.Contains("dataset.annotations", h.Message);
        Assert.Contains("it is a file, not a folder", h.Message);
    }

    [Fact]
    public void TheDevkitLayoutUnderRoot()
    {
        using var t = new TempFolder();
        t.Write("LOC_synset_mapping.txt", Synsets);
        t.Write("ILSVRC/Annotations/CLS-LOC/val/a.xml", Xml("a", ("n01440764", 0, 0, 1, 1)));
        t.Image("ILSVRC/Data/CLS-LOC/val/a.png");
        var ds = DatasetCatalog.Create(t.Spec("ilsvrc-xml", ("root", t.Path)));
        Assert.Equal("a", Assert.Single(ds.Items).Id);
    }

    [Theory]
    [InlineData("ILSVRC2012_val_00000042", 42)]
    [InlineData("ILSVRC2012_val_00050000", 50000)]
    [InlineData("cat", -1)]
    public void ImageNumbers(string id, int number) => Assert.Equal(number, IlsvrcXmlDataset.ImageNumber(id));
}
