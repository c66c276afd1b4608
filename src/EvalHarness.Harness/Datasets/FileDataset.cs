using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Io;

namespace EvalHarness.Harness.Datasets;

/// <summary>A dataset whose items are image files on disk, read on demand; items are sorted by id (ordinal).</summary>
public sealed class FileDataset : IDataset
{
    internal FileDataset(string kind, string source, int classes, IEnumerable<DatasetItem> items)
    {
        Kind = kind;
        Source = source;
        Classes = classes;
        var list = items.ToList();
        list.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        for (int i = 1; i < list.Count; i++)
            if (list[i].Id == list[i - 1].Id)
                throw new EvalHarnessException($"{kind} dataset: the id '{list[i].Id}' occurs twice ({list[i - 1].Path} and {list[i].Path}).");
        Items = list;
    }

    public string Kind { get; }

    public string Source { get; }

    public int Classes { get; }

    public IReadOnlyList<DatasetItem> Items { get; }

    public Image Load(DatasetItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Path is null)
            throw new EvalHarnessException($"{Kind} dataset: the item '{item.Id}' has no image file.");
        return ImageFile.Read(item.Path);
    }
}
