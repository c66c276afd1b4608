using EvalHarness.Engine.Io;
using EvalHarness.Harness.Datasets;
using EvalHarness.Tests.Common;

namespace EvalHarness.Harness.Tests;

/// <summary>imagenet-loc on ../shared/datasets/imagenet-val-1000 (skipped when the shared folder is absent).</summary>
public sealed class SharedImageNetTests
{
    private const string Folder = "datasets/imagenet-val-1000";

    private static (IDataset Dataset, string Root) Open()
    {
        var root = TestPaths.SharedFile(Folder, out var reason);
        Skip.If(root is null, $"imagenet-val-1000 test skipped: {reason}.");
        var spec = new DatasetSpec("imagenet-loc", new Dictionary<string, string> { ["root"] = root! }, TestPaths.RepoRoot);
        return (DatasetCatalog.Create(spec), root!);
    }

    [SkippableFact]
    public void ThousandImagesLabelledByTheirSynsetsLine()
    {
        var (ds, root) = Open();
        Assert.Equal(1000, ds.Items.Count);
        Assert.Equal(1000, ds.Classes);
        Assert.Equal(1523, ds.Items.Sum(i => i.Boxes.Count));
        Assert.Equal("ILSVRC2012_val_00000347", ds.Items[0].Id);
        Assert.Equal("ILSVRC2012_val_00048552", ds.Items[^1].Id);
        // The README: line order of LOC_synset_mapping.txt is the class index; each row's synset is its image's class.
        var synsets = File.ReadLines(Path.Combine(root, "LOC_synset_mapping.txt")).Select(l => l.Split(' ')[0]).ToList();
        var rows = File.ReadLines(Path.Combine(root, "LOC_val_solution.csv")).Skip(1)
            .Select(l => l.Split(',')).ToDictionary(c => c[0], c => c[1].Split(' '));
        foreach (var item in ds.Items)
        {
            var tokens = rows[item.Id];
            Assert.Equal(synsets.IndexOf(tokens[0]), item.Label);
            Assert.Equal(tokens.Length / 5, item.Boxes.Count);
            Assert.All(item.Boxes, b => Assert.Equal(item.Label, b.Class));
        }
        Assert.Equal(629, ds.Items.Select(i => i.Label).Distinct().Count());
    }

    [SkippableFact]
    public void BoxesCheckedByHandAgainstTheCsv()
    {
        var (ds, _) = Open();
        var byId = ds.Items.ToDictionary(i => i.Id);
        // ILSVRC2012_val_00000347,n02951358 9 106 50 177 n02951358 169 114 226 136 … (canoe, line 473 → class 472)
        var canoe = byId["ILSVRC2012_val_00000347"];
        Assert.Equal(472, canoe.Label);
        Assert.Equal(8, canoe.Boxes.Count);
        Assert.Equal(new SourceBox(472, 9, 106, 51, 178), canoe.Boxes[0]);
        Assert.Equal(new SourceBox(472, 169, 114, 227, 137), canoe.Boxes[1]);
        // ILSVRC2012_val_00000355,n02112137 52 61 199 215 (class 260)
        Assert.Equal(260, byId["ILSVRC2012_val_00000355"].Label);
        Assert.Equal([new SourceBox(260, 52, 61, 200, 216)], byId["ILSVRC2012_val_00000355"].Boxes);
        // ILSVRC2012_val_00048552,n01601694 8 37 95 131
        Assert.Equal([new SourceBox(byId["ILSVRC2012_val_00048552"].Label, 8, 37, 96, 132)], byId["ILSVRC2012_val_00048552"].Boxes);
    }

    [SkippableFact]
    public void ImagesLoadAt227()
    {
        var (ds, _) = Open();
        Skip.IfNot(Jpeg.IsAvailable, $"JPEG decoding unavailable: {Jpeg.UnavailableReason}");
        var image = ds.Load(ds.Items[0]);
        Assert.Equal((227, 227), (image.Width, image.Height));
    }

    [SkippableFact]
    public void RandomSubsetIsStable()
    {
        var (ds, _) = Open();
        var a = Subset.Select(ds.Items, 200, "random", 0);
        var b = Subset.Select(ds.Items.Reverse().ToList(), 200, "random", 0);
        Assert.Equal(200, a.Count);
        Assert.Equal(a.Select(i => i.Id), b.Select(i => i.Id));
    }
}
