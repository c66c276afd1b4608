using System.Security.Cryptography;
using System.Text.Json;
using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Io;
using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Models;
using EvalHarness.Tests.Common;

namespace EvalHarness.Saliency.Tests;

/// <summary>
/// The shared SqueezeNet on the first real ImageNet images with the reference values of
/// tests/fixtures/gen_real_images.py (tests/fixtures/real/squeezenet1_0-dc.safetensors). Loaded once.
/// </summary>
public sealed class RealImages
{
    private static readonly Lazy<(RealImages? Value, string Reason)> Instance = new(Load);

    private RealImages(Graph graph, Tensor images, int[] targets, Dictionary<string, Tensor> fixture, int[] grid)
    {
        Graph = graph;
        Images = images;
        Targets = targets;
        Fixture = fixture;
        Grid = grid;
    }

    public Graph Graph { get; }

    /// <summary>N×3×227×227, the caffe preset of configs/models/squeezenet1_0-dc.yaml.</summary>
    public Tensor Images { get; }

    /// <summary>The reference's predicted class of each image (checked against this engine's).</summary>
    public int[] Targets { get; }

    public Dictionary<string, Tensor> Fixture { get; }

    /// <summary>Rows and columns of the full map that the fixture keeps.</summary>
    public int[] Grid { get; }

    /// <summary>The loaded data, or a skip with the reason when the shared folder is absent.</summary>
    public static RealImages Require()
    {
        var (value, reason) = Instance.Value;
        Skip.If(value is null, reason);
        return value!;
    }

    private static (RealImages?, string) Load()
    {
        var weights = TestPaths.SharedFile("models/squeezenet1_0-dc.safetensors", out var reason);
        if (weights is null) return (null, $"Needs the shared SqueezeNet: {reason}. Set EVALHARNESS_SHARED to the shared folder to run it.");
        var dir = TestPaths.SharedFile("datasets/imagenet-val-1000/images", out reason);
        if (dir is null) return (null, $"Needs the shared ImageNet sample: {reason}. Set EVALHARNESS_SHARED to the shared folder to run it.");
        if (!Jpeg.IsAvailable) return (null, $"libturbojpeg is not installed ({Jpeg.UnavailableReason})");

        var fixture = SafeTensors.Load(TestPaths.Fixture("real", "squeezenet1_0-dc.safetensors"), out var meta);
        using var doc = JsonDocument.Parse(meta["images"]);
        var records = doc.RootElement.EnumerateArray().ToList();
        var grid = JsonSerializer.Deserialize<int[]>(meta["grid"])!;
        var graph = ModelZoo.Create("squeezenet1_0");
        StateDictLoader.LoadFile(graph, weights);
        var pre = Preprocessing.Caffe(227);
        var decoded = new List<Image>();
        foreach (var r in records)
        {
            var file = r.GetProperty("file").GetString()!;
            var image = ImageFile.Read(Path.Combine(dir, file));
            // A decoder that differs from PIL's by one grey level makes every later comparison meaningless.
            Assert.True(Convert.ToHexStringLower(SHA256.HashData(image.Pixels)) == r.GetProperty("rgb_sha256").GetString(),
                $"{file}: the decoded pixels differ from PIL's (SHA-256); the reference values do not apply to this input.");
            decoded.Add(image);
        }
        var images = pre.ApplyBatch(decoded).Tensor;
        var targets = records.Select(r => r.GetProperty("target").GetInt32()).ToArray();
        var logits = graph.Forward(images, recordForBackward: false).Output;
        for (int n = 0; n < targets.Length; n++)
        {
            var row = logits.Sample(n).ToArray();
            Assert.Equal(targets[n], Array.IndexOf(row, row.Max()));
        }
        return (new RealImages(graph, images, targets, fixture, grid), "");
    }

    /// <summary>The full map's values at the fixture's grid.</summary>
    public float[] OnGrid(ReadOnlySpan<float> map, int width)
    {
        var values = new float[Grid.Length * Grid.Length];
        for (int i = 0; i < Grid.Length; i++)
            for (int j = 0; j < Grid.Length; j++)
                values[i * Grid.Length + j] = map[Grid[i] * width + Grid[j]];
        return values;
    }
}
