using System.Globalization;
using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Io;
using EvalHarness.Tests.Common;

namespace EvalHarness.Cli.Tests.Runs;

/// <summary>Small run configs on the synthetic dataset with the committed synthnet (64×64 inputs, fast).</summary>
internal static class RunConfigs
{
    public static string SynthNet => Path.Combine(TestPaths.RepoRoot, "configs", "models", "synthnet.yaml");

    /// <summary>A config body; <paramref name="methods"/> and <paramref name="metrics"/> are YAML flow lists.</summary>
    public static string Synthetic(string name, int limit, int batch, string methods, string metrics, int seed = 5, bool report = false, int gallery = 0) => $"""
        name: {name}
        seed: {seed}
        model: {SynthNet}
        dataset: {"{"}kind: synthetic, seed: 1, count: 1000, split: test{"}"}
        limit: {limit}
        target: label
        batch_size: {batch}
        methods: {methods}
        metrics: {metrics}
        outputs: {"{"}gallery: {gallery}, report: {(report ? "true" : "false")}{"}"}
        """;

    /// <summary>A folder dataset of <paramref name="count"/> 64×64 PNGs (seeded noise) with a manifest; boxes per image, or none.</summary>
    public static string Folder(TempDir temp, int count, Func<int, string?> boxes)
    {
        string root = temp.File("folder-data");
        Directory.CreateDirectory(Path.Combine(root, "images"));
        var rng = new Random(11);
        var lines = new List<string> { "file,label,boxes" };
        for (int i = 0; i < count; i++)
        {
            var pixels = new byte[64 * 64 * 3];
            rng.NextBytes(pixels);
            string file = $"img{i:00}.png";
            Png.Write(Path.Combine(root, "images", file), new Image(64, 64, pixels));
            lines.Add($"{file},{(i % 4).ToString(CultureInfo.InvariantCulture)},{boxes(i) ?? ""}");
        }
        File.WriteAllText(Path.Combine(root, "manifest.csv"), string.Join("\n", lines) + "\n");
        return root;
    }

    /// <summary>Writes an H×W float32 map to <paramref name="path"/>.</summary>
    public static void Map(string path, int h, int w, Func<int, int, float> value)
    {
        var t = new Tensor(h, w);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                t.Data[y * w + x] = value(y, x);
        Npy.Write(path, t);
    }

    public static string[] Bytes(string dir, params string[] files) =>
        files.Select(f => File.ReadAllText(Path.Combine(dir, f))).ToArray();
}
