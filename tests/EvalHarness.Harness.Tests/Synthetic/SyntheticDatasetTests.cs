using System.Security.Cryptography;
using EvalHarness.Engine;
using EvalHarness.Harness.Datasets;
using EvalHarness.Harness.Datasets.Synthetic;

namespace EvalHarness.Harness.Tests.Synthetic;

public class SyntheticDatasetTests
{
    private static string Hash(SyntheticSample s) =>
        Convert.ToHexString(SHA256.HashData([.. s.Image.Pixels, .. s.Mask.Select(b => (byte)(b ? 1 : 0)), (byte)s.Label]));

    [Fact]
    public void The_same_seed_generates_identical_bytes()
    {
        var a = new SyntheticDataset(7, 40);
        var b = new SyntheticDataset(7, 40);
        foreach (var (x, y) in a.Items.Zip(b.Items))
        {
            Assert.Equal(x.Id, y.Id);
            Assert.Equal(a.Load(x).Pixels, b.Load(y).Pixels);
            Assert.Equal(x.Masks![0].Pixels, y.Masks![0].Pixels);
            Assert.Equal(x.Boxes, y.Boxes);
        }
        Assert.NotEqual(a.Load(a.Items[0]).Pixels, new SyntheticDataset(8, 1).Load(new SyntheticDataset(8, 1).Items[0]).Pixels);
    }

    [Fact]
    public void Images_do_not_depend_on_the_count_or_the_order_they_are_asked_for()
    {
        var small = new SyntheticDataset(3, 5);
        var large = new SyntheticDataset(3, 50);
        for (int i = 4; i >= 0; i--)
            Assert.Equal(small.Load(small.Items[i]).Pixels, large.Load(large.Items[i]).Pixels);
        Assert.Equal(Hash(SyntheticGenerator.Generate(3, SyntheticSplit.Test, 17)), Hash(large.Sample(large.Items[17])));
    }

    [Fact]
    public void A_fixed_image_keeps_its_bytes_across_versions_of_the_code()
    {
        // Pins synthetic-v1: a change of the generator must bump SyntheticGenerator.Version and this hash.
        var s = SyntheticGenerator.Generate(0, SyntheticSplit.Test, 42);
        Assert.Equal(SyntheticGenerator.Version, "synthetic-v1");
        Assert.Equal(PinnedHash, Hash(s));
    }

    private const string PinnedHash = "5E38D2D22DA72FE78151E9B0CF1BE1E4F12FDCE87EA59EC05A226B1D5A12261D";

    [Fact]
    public void Train_and_test_are_disjoint_streams()
    {
        var test = Enumerable.Range(0, 200).Select(i => Hash(SyntheticGenerator.Generate(1, SyntheticSplit.Test, i))).ToHashSet();
        var train = Enumerable.Range(0, 200).Select(i => Hash(SyntheticGenerator.Generate(1, SyntheticSplit.Train, i))).ToHashSet();
        Assert.Equal(200, test.Count);
        Assert.Equal(200, train.Count);
        Assert.Empty(test.Intersect(train));
    }

    [Fact]
    public void Ids_are_sorted_zero_padded_indices_of_the_split()
    {
        var d = new SyntheticDataset(0, 12, split: SyntheticSplit.Train);
        Assert.Equal("synthetic-train-000000", d.Items[0].Id);
        Assert.Equal("synthetic-train-000011", d.Items[^1].Id);
        Assert.Equal(d.Items.Select(i => i.Id).Order(StringComparer.Ordinal), d.Items.Select(i => i.Id));
        Assert.Equal("synthetic-test-000042", SyntheticDataset.IdOf(SyntheticSplit.Test, 42));
        Assert.Throws<EvalHarnessException>(() => d.Load(new DatasetItem("synthetic-test-000001", 0, [])));
        Assert.Throws<EvalHarnessException>(() => d.Load(new DatasetItem("synthetic-train-000012", 0, [])));
    }

    [Fact]
    public void The_box_is_the_bounding_box_of_the_mask_and_the_mask_is_the_object()
    {
        var d = new SyntheticDataset(11, 60);
        foreach (var item in d.Items)
        {
            var box = Assert.Single(item.Boxes);
            var mask = Assert.Single(item.Masks!);
            Assert.Equal((item.Label, item.Label, 64, 64), (box.Class, mask.Class, mask.Width, mask.Height));
            int x0 = 64, y0 = 64, x1 = -1, y1 = -1, area = 0;
            for (int y = 0; y < 64; y++)
                for (int x = 0; x < 64; x++)
                {
                    if (!mask.Pixels[y * 64 + x]) continue;
                    area++;
                    (x0, y0, x1, y1) = (Math.Min(x0, x), Math.Min(y0, y), Math.Max(x1, x), Math.Max(y1, y));
                }
            Assert.Equal(new SourceBox(item.Label, x0, y0, x1 + 1, y1 + 1), box);
            // The object spans 30–48% of the side (half-extent 0.15–0.24·64), so its box is 14..32 pixels wide.
            Assert.InRange(box.X1 - box.X0, 14, 32);
            Assert.InRange(area, 60, 32 * 32);
            // The object is never covered: its pixels carry its class colour's dominant channel (red, green, blue, or red+green for yellow)
            // in most places (textures darken, grain adds ±9).
            var px = d.Load(item).Pixels;
            int dominant = 0;
            for (int i = 0; i < 64 * 64; i++)
            {
                if (!mask.Pixels[i]) continue;
                int r = px[3 * i], g = px[3 * i + 1], b = px[3 * i + 2];
                bool ok = item.Label switch { 0 => r > g && r > b, 1 => g > r && g > b, 2 => b > r && b > g, _ => r > b && g > b };
                if (ok) dominant++;
            }
            Assert.True(dominant >= 0.9 * area, $"{item.Id}: {dominant} of {area} object pixels have the class colour");
        }
    }

    [Fact]
    public void Classes_are_balanced_in_every_block_of_four()
    {
        var labels = Enumerable.Range(0, 400).Select(i => SyntheticGenerator.LabelOf(5, SyntheticSplit.Test, i)).ToArray();
        for (int b = 0; b < 100; b++)
            Assert.Equal([0, 1, 2, 3], labels.Skip(4 * b).Take(4).Order());
        // The order within blocks varies (not simply index mod 4).
        Assert.True(Enumerable.Range(0, 100).Select(b => string.Join(",", labels.Skip(4 * b).Take(4))).Distinct().Count() > 10);
        Assert.Equal(labels.Take(40), new SyntheticDataset(5, 40).Items.Select(i => i.Label));
    }

    [Fact]
    public void Larger_sizes_scale_the_scene()
    {
        var s = SyntheticGenerator.Generate(2, SyntheticSplit.Test, 3, 128);
        Assert.Equal((128, 128), (s.Image.Width, s.Image.Height));
        Assert.InRange(s.Box.X1 - s.Box.X0, 28, 64);
        Assert.Equal(SyntheticGenerator.LabelOf(2, SyntheticSplit.Test, 3), s.Label);
        var ex = Assert.Throws<EvalHarnessException>(() => SyntheticGenerator.Generate(2, SyntheticSplit.Test, 3, 48));
        Assert.Contains("at least 64", ex.Message);
    }

    [Fact]
    public void The_catalog_builds_it_from_config_fields_and_rejects_bad_ones()
    {
        var spec = new DatasetSpec("Synthetic", new Dictionary<string, string> { ["seed"] = "4", ["count"] = "9", ["size"] = "96", ["split"] = "train" }, "/tmp");
        var d = Assert.IsType<SyntheticDataset>(DatasetCatalog.Create(spec));
        Assert.Equal((4UL, 9, 96, SyntheticSplit.Train, 4), (d.Seed, d.Count, d.Size, d.Split, d.Classes));
        Assert.Equal("synthetic", d.Kind);
        Assert.Contains("seed 4", d.Source);
        var defaults = SyntheticDataset.FromSpec(new DatasetSpec("synthetic", new Dictionary<string, string>(), "/tmp"));
        Assert.Equal((0UL, 1000, 64, SyntheticSplit.Test), (defaults.Seed, defaults.Count, defaults.Size, defaults.Split));

        EvalHarnessException Bad(string key, string value) => Assert.Throws<EvalHarnessException>(() =>
            DatasetCatalog.Create(new DatasetSpec("synthetic", new Dictionary<string, string> { [key] = value }, "/tmp",
                new Dictionary<string, string> { [key] = "q.yaml:3:9" })));
        Assert.Contains("q.yaml:3:9: dataset.size", Bad("size", "32").Message);
        Assert.Contains("64..", Bad("size", "32").Message);
        Assert.Contains("Did you mean: test", Bad("split", "tset").Message);
        Assert.Contains("Did you mean: count", Bad("cont", "3").Message);
        Assert.Contains("not a seed", Bad("seed", "-1").Message);
        Assert.Contains("0..1000000", Bad("count", "x").Message);
    }
}
