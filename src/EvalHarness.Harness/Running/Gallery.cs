using System.Globalization;
using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Io;
using EvalHarness.Harness.Datasets;
using EvalHarness.Models;
using EvalHarness.Reports.Results;

namespace EvalHarness.Harness.Running;

/// <summary>The gallery sample: the first images' network inputs as PNG and each method's map as H×W float32 .npy.</summary>
internal static class Gallery
{
    public const string Folder = "gallery";

    public static List<GalleryItem> Write(
        string dir, RunPlan plan, LoadedModel model, IDataset dataset, IReadOnlyList<DatasetItem> selected, RunKeys keys, ResultStore store,
        IReadOnlyList<int>? indices = null)
    {
        var items = new List<GalleryItem>();
        int count = Math.Min(plan.Gallery, selected.Count);
        if (count == 0) return items;
        Directory.CreateDirectory(Path.Combine(dir, Folder));
        for (int index = 0; index < count; index++)
        {
            var item = selected[index];
            string imageKey = keys.Image(item);
            var stored = store.GetImage(imageKey);
            if (stored is null) continue;
            var input = model.Prepare(dataset.Load(item));
            // Files are named by the image's position in the whole selection, so a shard's names are the single run's.
            string stem = $"{(indices?[index] ?? index).ToString("D4", CultureInfo.InvariantCulture)}_{Safe(item.Id)}";
            string png = $"{Folder}/{stem}.png";
            WriteAtomically(Path.Combine(dir, png), Png.Encode(InputPicture(input.Tensor, model.Preprocessing)));
            var maps = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int m = 0; m < plan.Methods.Count; m++)
            {
                var blob = store.GetMap(keys.Map(imageKey, m));
                if (blob is null) continue;
                string npy = $"{Folder}/{stem}_{Safe(plan.Methods[m].Id)}.npy";
                WriteAtomically(Path.Combine(dir, npy), Npy.Encode(NpyArray.FromTensor(MapBlob.Map(blob))));
                maps[plan.Methods[m].Id] = npy;
            }
            var boxes = Annotations.ToInputFrame(item, input.Transform).Boxes.Select(b => new GalleryBox(b.Class, b.X0, b.Y0, b.X1, b.Y1)).ToList();
            items.Add(new GalleryItem(item.Id, stored.Label, stored.Target, stored.Prediction, input.Transform.Width, input.Transform.Height, boxes, png, maps));
        }
        return items;
    }

    /// <summary>The network input back as 8-bit RGB: the preprocessing's normalisation undone, channels back in RGB order.</summary>
    public static Image InputPicture(Tensor x, Preprocessing p)
    {
        int h = x.H, w = x.W, plane = h * w;
        var t = Tensor.Uninitialized(1, 3, h, w);
        for (int c = 0; c < 3; c++)
        {
            int rgb = p.ChannelOrder == ChannelOrder.Bgr ? 2 - c : c;
            float mean = p.Mean[c], std = p.Std[c], scale = (float)p.Scale;
            var src = x.Data.AsSpan(c * plane, plane);
            var dst = t.Data.AsSpan(rgb * plane, plane);
            for (int i = 0; i < plane; i++) dst[i] = (src[i] * std + mean) / scale;
        }
        return Image.FromTensor(t);
    }

    private static string Safe(string id) => string.Concat(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    private static void WriteAtomically(string path, byte[] bytes)
    {
        string tmp = path + ".tmp";
        File.WriteAllBytes(tmp, bytes);
        File.Move(tmp, path, overwrite: true);
    }
}
