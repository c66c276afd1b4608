using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Io;
using EvalHarness.Models;
using EvalHarness.Models.Config;

namespace EvalHarness.Cli.Tests;

/// <summary>
/// A small model for CLI tests: squeezenet1_1 with eh-init-v1 weights (seed 5, not pretrained), 10
/// classes named "label 0".."label 9", torchvision preprocessing at 64×64 (resize 73, crop 64), and a
/// few generated images in its folder.
/// </summary>
internal sealed class TinyModel : IDisposable
{
    public const int Classes = 10;
    public const int Size = 64;

    public TinyModel()
    {
        Dir = new TempDir();
        Dir.Write("labels.txt", string.Join("\n", Enumerable.Range(0, Classes).Select(i => $"label {i}")) + "\n");
        Config = Dir.Write("tiny.yaml", """
            # squeezenet1_1, not pretrained
            architecture: squeezenet1_1
            init_seed: 5
            num_classes: 10
            labels: labels.txt
            preprocessing:
              preset: torchvision
              input_size: 64
            """);
    }

    public TempDir Dir { get; }

    /// <summary>Path of the YAML config.</summary>
    public string Config { get; }

    public LoadedModel Load() => ModelLoader.Load(ModelConfig.Load(Config));

    /// <summary>A deterministic RGB test picture: gradients, a bright square and a dark disc.</summary>
    public static Image Picture(int width, int height, int seed)
    {
        var image = new Image(width, height);
        var rng = new Rng((ulong)seed + 1);
        int sx = width / 4 + seed % 7, sy = height / 3, cx = width * 2 / 3, cy = height / 2 + seed % 5;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int o = (y * width + x) * 3;
                bool square = x >= sx && x < sx + width / 5 && y >= sy && y < sy + height / 5;
                bool disc = (x - cx) * (x - cx) + (y - cy) * (y - cy) < width * width / 49;
                int noise = (int)(rng.NextUInt64() % 16);
                image.Pixels[o] = (byte)(square ? 250 : disc ? 10 : 255 * x / width / 2 + noise);
                image.Pixels[o + 1] = (byte)(square ? 240 : disc ? 20 : 255 * y / height / 2 + 3 * seed);
                image.Pixels[o + 2] = (byte)(square ? 30 : disc ? 200 : 90 + noise);
            }
        }
        return image;
    }

    /// <summary>Writes a PNG picture into the model's folder (or a sub-folder) and returns its path.</summary>
    public string WritePng(string name, int width, int height, int seed)
    {
        var path = Dir.File(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Png.Write(path, Picture(width, height, seed));
        return path;
    }

    /// <summary>Writes a preprocessed picture as .npy (shape C×H×W, or 1×C×H×W with <paramref name="batchDim"/>).</summary>
    public string WriteNpy(string name, Tensor input, bool batchDim)
    {
        var path = Dir.File(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        int[] shape = batchDim ? input.ShapeArray : input.ShapeArray[1..];
        Npy.Write(path, new NpyArray("<f4", shape, (float[])input.Data.Clone()));
        return path;
    }

    public void Dispose() => Dir.Dispose();
}
