using EvalHarness.Engine;
using EvalHarness.Harness.Datasets;

namespace EvalHarness.Harness.Tests;

public sealed class SubsetTests
{
    private static List<DatasetItem> Items(IEnumerable<string> ids) =>
        ids.Select(id => new DatasetItem(id, 0, [])).OrderBy(i => i.Id, StringComparer.Ordinal).ToList();

    private static List<DatasetItem> Numbered(int from, int count, string prefix = "img_") =>
        Items(Enumerable.Range(from, count).Select(i => $"{prefix}{i:D5}"));

    [Fact]
    public void FirstTakesTheLeadingIdsAndNoLimitTakesAll()
    {
        var items = Numbered(0, 10);
        Assert.Equal(items.Take(3), Subset.Select(items, 3, "first", 1));
        Assert.Equal(items, Subset.Select(items, null, "random", 1));
        Assert.Equal(items, Subset.Select(items, 50, "random", 1));
        Assert.Equal(items, Subset.Select(items, 10, "FIRST", 1));
    }

    [Fact]
    public void RandomIsTheSmallestKeysInIdOrderAndDependsOnTheSeed()
    {
        var items = Numbered(0, 300);
        var a = Subset.Select(items, 20, "random", 7);
        // Independent derivation: sort by key, take 20, back to id order.
        var expected = items.OrderBy(i => Subset.Key(7, i.Id)).Take(20).OrderBy(i => i.Id, StringComparer.Ordinal).Select(i => i.Id);
        Assert.Equal(expected, a.Select(i => i.Id));
        Assert.Equal(a.Select(i => i.Id).Order(StringComparer.Ordinal), a.Select(i => i.Id));
        Assert.Equal(a, Subset.Select(items, 20, "random", 7));
        var b = Subset.Select(items, 20, "random", 8);
        Assert.NotEqual(a.Select(i => i.Id), b.Select(i => i.Id));
        Assert.NotEqual(items.Take(20).Select(i => i.Id), a.Select(i => i.Id));
        // Keys are pinned: a change of the hash would silently change every seeded run.
        Assert.Equal(Rng.Derive(7, "subset:img_00000").NextUInt64(), Subset.Key(7, "img_00000"));
    }

    [Fact]
    public void RandomDoesNotDependOnInputOrder()
    {
        var items = Numbered(0, 100);
        var shuffled = items.ToArray();
        new Rng(3).Shuffle(shuffled.AsSpan());
        Assert.Equal(Subset.Select(items, 10, "random", 5).Select(i => i.Id), Subset.Select(shuffled, 10, "random", 5).Select(i => i.Id));
    }

    [Fact]
    public void AddingItemsChangesThePickOnlyWhereNewItemsEnter()
    {
        var original = Numbered(0, 200);
        var before = Subset.Select(original, 25, "random", 11).Select(i => i.Id).ToHashSet();
        var grown = Items(original.Select(i => i.Id).Concat(Enumerable.Range(0, 60).Select(i => $"extra_{i:D3}")));
        var after = Subset.Select(grown, 25, "random", 11).Select(i => i.Id).ToList();
        var newcomers = after.Count(id => id.StartsWith("extra_", StringComparison.Ordinal));
        var kept = after.Where(id => id.StartsWith("img_", StringComparison.Ordinal)).ToList();
        Assert.Subset(before, kept.ToHashSet());               // no original item newly enters
        Assert.Equal(25 - newcomers, kept.Count);              // each loss is a newcomer taking the place
        Assert.InRange(newcomers, 1, 24);                      // (for this seed, the test is not vacuous)
        // Removing unrelated items never drops a picked one.
        var shrunk = original.Where(i => before.Contains(i.Id) || i.Id.EndsWith('3')).ToList();
        Assert.Equal(before, Subset.Select(shrunk, 25, "random", 11).Select(i => i.Id).ToHashSet());
    }

    [Fact]
    public void BadModeAndLimit()
    {
        var items = Numbered(0, 5);
        var e = Assert.Throws<UnknownNameException>(() => Subset.Select(items, 2, "randon", 1));
        Assert.Contains("Did you mean: random", e.Message);
        Assert.Contains("first", e.Message);
        var l = Assert.Throws<EvalHarnessException>(() => Subset.Select(items, 0, "first", 1));
        Assert.Contains("positive", l.Message);
        Assert.Contains("all 5", l.Message);
    }

    [Fact]
    public void Descriptions()
    {
        Assert.Equal("all", Subset.Describe(null, "random", 3));
        Assert.Equal("first 10", Subset.Describe(10, "first", 3));
        Assert.Equal("random 10 (seed 3)", Subset.Describe(10, "Random", 3));
    }
}
