using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Harness.Datasets;
using EvalHarness.Metrics;

namespace EvalHarness.Harness.Glue;

/// <summary>
/// The runner's only contact with the dataset readers: opening a dataset from its spec, selecting the
/// run's subset, and bringing annotations into the network-input frame.
/// INTERIM: until the dataset readers land, Select and ToInputFrame are implemented here and a minimal
/// 'folder' kind (<see cref="InterimFolderDataset"/>) answers when the catalog has none. When they land:
/// Select → Subset.Select(items, limit, mode, seed), ToInputFrame → Annotations.ToInputFrame(item,
/// transform), and delete InterimFolderDataset.
/// </summary>
public static class DatasetBridge
{
    /// <summary>Every dataset kind a config may name.</summary>
    public static IReadOnlyList<string> Kinds =>
        DatasetCatalog.Names.Contains(InterimFolderDataset.KindName, StringComparer.OrdinalIgnoreCase)
            ? DatasetCatalog.Names
            : [.. DatasetCatalog.Names, InterimFolderDataset.KindName];

    public static IDataset Open(DatasetSpec spec)
    {
        if (!DatasetCatalog.Names.Contains(spec.Kind, StringComparer.OrdinalIgnoreCase) &&
            spec.Kind.Equals(InterimFolderDataset.KindName, StringComparison.OrdinalIgnoreCase))
            return new InterimFolderDataset(spec);
        return DatasetCatalog.Create(spec);
    }

    /// <summary>The first <paramref name="limit"/> items, or <paramref name="limit"/> at random (seeded) kept in dataset order; all when null.</summary>
    public static IReadOnlyList<DatasetItem> Select(IReadOnlyList<DatasetItem> items, int? limit, SubsetMode mode, ulong seed)
    {
        if (limit is not int n || n >= items.Count) return items;
        if (mode == SubsetMode.First) return items.Take(n).ToList();
        var order = Enumerable.Range(0, items.Count).ToArray();
        Rng.Derive(seed, "subset").Shuffle(order.AsSpan());
        return order.Take(n).Order().Select(i => items[i]).ToList();
    }

    /// <summary>
    /// The item's boxes in the network-input frame (clipped to it; boxes entirely cut away by the crop
    /// dropped) and its masks resampled into that frame (nearest source pixel of each input pixel's centre).
    /// </summary>
    public static InputAnnotations ToInputFrame(DatasetItem item, InputTransform transform)
    {
        var boxes = new List<BoundingBox>();
        int clipped = 0, dropped = 0;
        foreach (var b in item.Boxes)
        {
            var mapped = transform.MapBox(b.X0, b.Y0, b.X1, b.Y1);
            if (mapped is not { } m)
            {
                dropped++;
                continue;
            }
            var (a0, c0) = transform.MapPoint(b.X0, b.Y0);
            var (a1, c1) = transform.MapPoint(b.X1, b.Y1);
            if (a0 < 0 || c0 < 0 || a1 > transform.Width || c1 > transform.Height) clipped++;
            boxes.Add(new BoundingBox(b.Class, (int)Math.Floor(m.X0), (int)Math.Floor(m.Y0), (int)Math.Ceiling(m.X1), (int)Math.Ceiling(m.Y1)));
        }
        List<ObjectMask>? masks = null;
        if (item.Masks is { } sourceMasks)
        {
            masks = [];
            foreach (var sm in sourceMasks)
            {
                var pixels = new bool[transform.Width * transform.Height];
                for (int y = 0; y < transform.Height; y++)
                {
                    for (int x = 0; x < transform.Width; x++)
                    {
                        var (sx, sy) = transform.MapPointToSource(x + 0.5, y + 0.5);
                        int ix = Math.Clamp((int)Math.Floor(sx), 0, sm.Width - 1), iy = Math.Clamp((int)Math.Floor(sy), 0, sm.Height - 1);
                        pixels[y * transform.Width + x] = sm.Pixels[iy * sm.Width + ix];
                    }
                }
                masks.Add(new ObjectMask(sm.Class, pixels));
            }
        }
        return new InputAnnotations(boxes, masks, clipped, dropped);
    }
}

/// <summary>An image's annotations in the network-input frame, and how many boxes the crop cut (clipped) or removed (dropped).</summary>
public sealed record InputAnnotations(IReadOnlyList<BoundingBox> Boxes, IReadOnlyList<ObjectMask>? Masks, int Clipped, int Dropped);
