using System.Globalization;
using EvalHarness.Engine;

namespace EvalHarness.Harness.Datasets;

/// <summary>
/// The images a run scores. <c>first</c>: the first <i>limit</i> items in id order. <c>random</c>: a
/// seeded sample that does not depend on file order: each item gets the key
/// <c>Rng.Derive(seed, "subset:" + id).NextUInt64()</c> and the <i>limit</i> items with the smallest keys are
/// taken (bottom-k sampling), returned in id order. Because an item's key depends only on the seed and
/// its own id, adding or removing other items changes the pick minimally: an original item leaves the
/// sample only when a new item with a smaller key takes its place.
/// </summary>
public static class Subset
{
    public const string First = "first";
    public const string Random = "random";

    public static readonly IReadOnlyList<string> Modes = [First, Random];

    /// <param name="items">The dataset's items (in id order).</param>
    /// <param name="limit">How many to keep; null keeps all. A limit above the count keeps all.</param>
    /// <param name="mode">"first" or "random" (case-insensitive).</param>
    /// <param name="seed">The run's seed (random mode).</param>
    public static IReadOnlyList<DatasetItem> Select(IReadOnlyList<DatasetItem> items, int? limit, string mode, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(items);
        var m = CheckMode(mode);
        if (limit is int l && l < 1)
            throw new EvalHarnessException($"The subset limit is {l}; give a positive number of images, or no limit for all {items.Count}.");
        if (limit is null || limit >= items.Count) return items.ToList();
        if (m == First) return items.Take(limit.Value).ToList();
        var keyed = new (ulong Key, int Index)[items.Count];
        for (int i = 0; i < items.Count; i++) keyed[i] = (Key(seed, items[i].Id), i);
        // Ties (2⁻⁶⁴ apart) break by id so that the pick never depends on the input order.
        Array.Sort(keyed, (a, b) => a.Key != b.Key ? a.Key.CompareTo(b.Key) : string.CompareOrdinal(items[a.Index].Id, items[b.Index].Id));
        return keyed.Take(limit.Value).Select(k => items[k.Index]).OrderBy(x => x.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>The sampling key of an id: fixed forever for a given seed (SplitMix64 through <see cref="Rng.Derive"/>).</summary>
    public static ulong Key(ulong seed, string id) => Rng.Derive(seed, "subset:" + id).NextUInt64();

    /// <summary>"all", "first 100" or "random 100 (seed 7)", for run metadata.</summary>
    public static string Describe(int? limit, string mode, ulong seed)
    {
        var m = CheckMode(mode);
        if (limit is null) return "all";
        var n = limit.Value.ToString(CultureInfo.InvariantCulture);
        return m == First ? $"first {n}" : $"random {n} (seed {seed.ToString(CultureInfo.InvariantCulture)})";
    }

    private static string CheckMode(string mode)
    {
        ArgumentNullException.ThrowIfNull(mode);
        foreach (var m in Modes)
            if (m.Equals(mode.Trim(), StringComparison.OrdinalIgnoreCase)) return m;
        throw new UnknownNameException(NameMatcher.UnknownMessage("subset mode", mode, Modes.ToList()));
    }
}
