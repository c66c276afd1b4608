using EvalHarness.Engine.Imaging;

namespace EvalHarness.Harness.Datasets;

/// <summary>
/// A labelled image collection with optional localisation annotations. <see cref="Items"/> is in a stable
/// order (sorted by id) that does not depend on the file system's listing order, so that seeded subsets
/// and shards select the same images everywhere. Images are decoded on demand.
/// </summary>
public interface IDataset
{
    /// <summary>The dataset kind as written in configs, e.g. "imagenet-loc", "folder", "synthetic".</summary>
    string Kind { get; }

    /// <summary>Where the data comes from in one line (folder paths, or the generator and its seed), for run.json.</summary>
    string Source { get; }

    /// <summary>Number of classes the labels index into (1000 for ImageNet).</summary>
    int Classes { get; }

    IReadOnlyList<DatasetItem> Items { get; }

    /// <summary>Decodes the image of <paramref name="item"/> as 8-bit RGB; a missing or corrupt file is a FileFormatException naming it.</summary>
    Image Load(DatasetItem item);
}
