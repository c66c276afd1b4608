using EvalHarness.Engine;

namespace EvalHarness.Harness.Datasets;

/// <summary>
/// The registry of dataset kinds: one line per kind. Kinds are case-insensitive; a miss is answered
/// with the nearest kinds. Each factory validates its own fields (unknown fields answered with the
/// nearest valid ones, missing files named with the field that gave them).
/// </summary>
public static class DatasetCatalog
{
    private static readonly Registry<Func<DatasetSpec, IDataset>> Kinds = new("dataset kind")
    {
        { ImageNetLocDataset.Kind, ImageNetLocDataset.Create },
        { IlsvrcXmlDataset.Kind, IlsvrcXmlDataset.Create },
        { FolderDataset.Kind, FolderDataset.Create },
        { Synthetic.SyntheticDataset.KindName, Synthetic.SyntheticDataset.FromSpec },
    };

    public static IReadOnlyList<string> Names => Kinds.Names;

    public static IDataset Create(DatasetSpec spec) => Kinds.Get(spec.Kind)(spec);
}
