using System.Runtime.InteropServices;
using System.Text;
using EvalHarness.Engine;
using EvalHarness.Metrics;
using EvalHarness.Saliency;

namespace EvalHarness.Harness.Running;

/// <summary>
/// Binary forms kept in the result store: one image's slice of a <see cref="SaliencyResult"/> (the map
/// and every per-image tensor a metric may read, float32 little-endian with their shapes), and one
/// image's metric curves (float64).
/// </summary>
internal static class MapBlob
{
    private const int Magic = 0x314D4845; // "EHM1"

    public static byte[] Encode(SaliencyResult result, int n)
    {
        var parts = new List<(string Name, Tensor Tensor)> { ("maps", result.Maps) };
        if (result.RawMaps is { } raw) parts.Add(("raw_maps", raw));
        if (result.ChannelWeights is { } cw) parts.Add(("channel_weights", cw));
        if (result.ChannelContributions is { } cc) parts.Add(("channel_contributions", cc));
        foreach (var (k, v) in result.Extras.OrderBy(e => e.Key, StringComparer.Ordinal)) parts.Add(("extra:" + k, v));
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(parts.Count);
            foreach (var (name, t) in parts)
            {
                w.Write(name);
                var shape = t.ShapeArray;
                w.Write(shape.Length - 1);
                for (int i = 1; i < shape.Length; i++) w.Write(shape[i]);
                w.Write(MemoryMarshal.AsBytes((ReadOnlySpan<float>)t.Sample(n)));
            }
        }
        return ms.ToArray();
    }

    /// <summary>Stacks per-image blobs back into a batch result (every image must carry the same parts).</summary>
    public static SaliencyResult Decode(IReadOnlyList<byte[]> blobs)
    {
        var perImage = blobs.Select(DecodeOne).ToList();
        Tensor Stack(string name)
        {
            var first = perImage[0][name];
            var shape = first.ShapeArray;
            var t = Tensor.Uninitialized([blobs.Count, .. shape]);
            for (int i = 0; i < perImage.Count; i++)
            {
                var part = perImage[i].TryGetValue(name, out var p) && p.SameShape(first) ? p
                    : throw new InvalidOperationException($"Stored maps disagree on '{name}'.");
                part.Data.CopyTo(t.Sample(i));
            }
            return t;
        }
        bool Has(string name) => perImage.All(p => p.ContainsKey(name));
        var extras = perImage[0].Keys.Where(k => k.StartsWith("extra:", StringComparison.Ordinal) && Has(k))
            .ToDictionary(k => k["extra:".Length..], Stack);
        return new SaliencyResult
        {
            Maps = Stack("maps"),
            RawMaps = Has("raw_maps") ? Stack("raw_maps") : null,
            ChannelWeights = Has("channel_weights") ? Stack("channel_weights") : null,
            ChannelContributions = Has("channel_contributions") ? Stack("channel_contributions") : null,
            Extras = extras,
        };
    }

    /// <summary>The H×W map of one stored image.</summary>
    public static Tensor Map(byte[] blob) => DecodeOne(blob)["maps"];

    private static Dictionary<string, Tensor> DecodeOne(byte[] blob)
    {
        using var r = new BinaryReader(new MemoryStream(blob), Encoding.UTF8);
        if (r.ReadInt32() != Magic) throw new InvalidOperationException("A stored map has an unknown format.");
        int count = r.ReadInt32();
        var parts = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string name = r.ReadString();
            var shape = new int[r.ReadInt32()];
            for (int d = 0; d < shape.Length; d++) shape[d] = r.ReadInt32();
            var t = Tensor.Uninitialized(shape);
            r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(t.Data.AsSpan()));
            parts[name] = t;
        }
        return parts;
    }

    public static byte[] EncodeCurves(IReadOnlyList<MetricCurve> curves)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(curves.Count);
            foreach (var c in curves)
            {
                w.Write(c.Metric);
                w.Write(c.X.Length);
                foreach (double x in c.X) w.Write(x);
                w.Write(c.Y.Length);
                foreach (double y in c.Y) w.Write(y);
            }
        }
        return ms.ToArray();
    }

    public static List<(string Metric, double[] X, double[] Y)> DecodeCurves(byte[] blob)
    {
        using var r = new BinaryReader(new MemoryStream(blob), Encoding.UTF8);
        int count = r.ReadInt32();
        var result = new List<(string, double[], double[])>();
        for (int i = 0; i < count; i++)
        {
            string metric = r.ReadString();
            var x = new double[r.ReadInt32()];
            for (int j = 0; j < x.Length; j++) x[j] = r.ReadDouble();
            var y = new double[r.ReadInt32()];
            for (int j = 0; j < y.Length; j++) y[j] = r.ReadDouble();
            result.Add((metric, x, y));
        }
        return result;
    }
}
