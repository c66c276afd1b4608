using System.Globalization;
using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;

namespace EvalHarness.Harness.Datasets.Synthetic;

/// <summary>
/// The dataset kind "synthetic": <see cref="Count"/> images of one split of <see cref="SyntheticGenerator"/>,
/// generated on demand, with the class object's box and pixel mask as annotations. Ids are
/// "synthetic-&lt;split&gt;-&lt;index:000000&gt;", so the id order is the index order.
/// Config fields: seed (default 0), count (default 1000), size (default 64, ≥ 64), split (test | train, default test).
/// </summary>
public sealed class SyntheticDataset : IDataset
{
    public const string KindName = "synthetic";

    private static readonly string[] FieldNames = ["seed", "count", "size", "split"];

    private readonly Lazy<IReadOnlyList<DatasetItem>> _items;

    public SyntheticDataset(ulong seed, int count, int size = SyntheticGenerator.DefaultSize, SyntheticSplit split = SyntheticSplit.Test)
    {
        if (count < 0 || count > 1_000_000)
            throw new EvalHarnessException($"A synthetic dataset holds 0..1000000 images; count {count} is outside that range.");
        if (size < SyntheticGenerator.MinSize)
            throw new EvalHarnessException($"Synthetic images are at least {SyntheticGenerator.MinSize}×{SyntheticGenerator.MinSize} pixels; size {size} is too small.");
        Seed = seed;
        Count = count;
        Size = size;
        Split = split;
        _items = new Lazy<IReadOnlyList<DatasetItem>>(BuildItems);
    }

    public ulong Seed { get; }

    public int Count { get; }

    public int Size { get; }

    public SyntheticSplit Split { get; }

    public string Kind => KindName;

    public string Source => $"{SyntheticGenerator.Version} generator, seed {Seed.ToString(CultureInfo.InvariantCulture)}, " +
        $"split {SyntheticGenerator.SplitName(Split)}, {Count.ToString(CultureInfo.InvariantCulture)} images of {Size}×{Size}";

    public int Classes => SyntheticGenerator.Classes;

    public IReadOnlyList<string> ClassNames => SyntheticGenerator.ClassNames;

    public IReadOnlyList<DatasetItem> Items => _items.Value;

    public static string IdOf(SyntheticSplit split, int index) =>
        $"synthetic-{SyntheticGenerator.SplitName(split)}-{index.ToString("D6", CultureInfo.InvariantCulture)}";

    public Image Load(DatasetItem item) => SyntheticGenerator.Generate(Seed, Split, IndexOf(item), Size).Image;

    /// <summary>The generated sample behind an item (image, label, mask and box).</summary>
    public SyntheticSample Sample(DatasetItem item) => SyntheticGenerator.Generate(Seed, Split, IndexOf(item), Size);

    private int IndexOf(DatasetItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        string prefix = $"synthetic-{SyntheticGenerator.SplitName(Split)}-";
        if (!item.Id.StartsWith(prefix, StringComparison.Ordinal) ||
            !int.TryParse(item.Id.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index >= Count)
            throw new EvalHarnessException($"'{item.Id}' is not an image of this synthetic dataset (ids {IdOf(Split, 0)}..{IdOf(Split, Math.Max(0, Count - 1))}).");
        return index;
    }

    private IReadOnlyList<DatasetItem> BuildItems()
    {
        var items = new DatasetItem[Count];
        for (int i = 0; i < Count; i++)
        {
            var s = SyntheticGenerator.Generate(Seed, Split, i, Size);
            items[i] = new DatasetItem(IdOf(Split, i), s.Label, [s.Box], null, [new SourceMask(s.Label, Size, Size, s.Mask)]);
        }
        return items;
    }

    /// <summary>The factory DatasetCatalog registers: validates the fields of a <c>dataset:</c> section of kind synthetic.</summary>
    public static SyntheticDataset FromSpec(DatasetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var key in spec.Fields.Keys)
            if (!FieldNames.Contains(key, StringComparer.Ordinal))
                throw new EvalHarnessException($"{spec.Where(key)}: " + NameMatcher.UnknownMessage("field of a synthetic dataset", key, FieldNames));
        ulong seed = 0;
        if (spec.Fields.TryGetValue("seed", out var s) && !ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out seed))
            throw new EvalHarnessException($"{spec.Where("seed")}: '{s}' is not a seed; give a whole number 0..{ulong.MaxValue}.");
        int count = Int(spec, "count", 1000, 0, 1_000_000);
        int size = Int(spec, "size", SyntheticGenerator.DefaultSize, SyntheticGenerator.MinSize, 4096);
        var split = SyntheticSplit.Test;
        if (spec.Fields.TryGetValue("split", out var sp))
        {
            split = sp.Trim().ToLowerInvariant() switch
            {
                "test" => SyntheticSplit.Test,
                "train" => SyntheticSplit.Train,
                _ => throw new EvalHarnessException($"{spec.Where("split")}: " + NameMatcher.UnknownMessage("split", sp, ["test", "train"])),
            };
        }
        return new SyntheticDataset(seed, count, size, split);
    }

    private static int Int(DatasetSpec spec, string field, int fallback, int min, int max)
    {
        if (!spec.Fields.TryGetValue(field, out var text)) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
            throw new EvalHarnessException($"{spec.Where(field)}: '{text}' is not valid; give a whole number {min}..{max}.");
        return v;
    }
}
