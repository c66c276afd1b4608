using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Models.Architectures;

/// <summary>
/// VGG (Simonyan &amp; Zisserman 2015) with torchvision 0.14's structure and names (torchvision/models/vgg.py):
/// features.{i} (Conv2d 3×3 pad 1 [, BatchNorm2d], ReLU, MaxPool2d 2), avgpool (adaptive 7×7), flatten,
/// classifier.{0..6} (Linear 25088→4096, ReLU, Dropout, Linear 4096→4096, ReLU, Dropout, Linear 4096→classes).
/// </summary>
public static class Vgg
{
    private const int M = 0; // max-pool marker in a configuration

    // torchvision's cfgs "A", "B", "D", "E".
    private static readonly int[] Vgg11Config = [64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M];
    private static readonly int[] Vgg13Config = [64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M];
    private static readonly int[] Vgg16Config = [64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M];
    private static readonly int[] Vgg19Config = [64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M, 512, 512, 512, 512, M];

    /// <summary>The configuration for depth 11, 13, 16 or 19.</summary>
    public static int[] Config(int depth) => depth switch
    {
        11 => Vgg11Config,
        13 => Vgg13Config,
        16 => Vgg16Config,
        19 => Vgg19Config,
        _ => throw new ArgumentOutOfRangeException(nameof(depth), $"VGG depth {depth} does not exist; use 11, 13, 16 or 19."),
    };

    public static Graph Build(int depth, bool batchNorm, int numClasses)
    {
        ZooChecks.NumClasses(numClasses);
        var b = new GraphBuilder();
        using (b.Scope("features"))
        {
            int index = 0;
            int channels = 3;
            int x = GraphBuilder.Input;
            foreach (int v in Config(depth))
            {
                if (v == M)
                {
                    x = b.Add($"{index++}", new MaxPool2d(2, 2), x);
                    continue;
                }
                x = b.Add($"{index++}", new Conv2d(channels, v, 3, padding: 1), x);
                if (batchNorm) x = b.Add($"{index++}", new BatchNorm2d(v), x);
                x = b.Add($"{index++}", new ReLU(), x);
                channels = v;
            }
        }
        b.Add("avgpool", new AdaptiveAvgPool2d(7, 7));
        b.Add("flatten", new Flatten(1));
        using (b.Scope("classifier"))
        {
            b.Add("0", new Linear(512 * 7 * 7, 4096));
            b.Add("1", new ReLU());
            b.Add("2", new Dropout(0.5f));
            b.Add("3", new Linear(4096, 4096));
            b.Add("4", new ReLU());
            b.Add("5", new Dropout(0.5f));
            b.Add("6", new Linear(4096, numClasses));
        }
        return b.Build();
    }

    /// <summary>The last ReLU of features (the input of the final max-pool), the usual Grad-CAM layer.</summary>
    public static string LastFeatureRelu(int depth, bool batchNorm)
    {
        var config = Config(depth);
        int convs = config.Count(v => v != M);
        int modules = convs * (batchNorm ? 3 : 2) + (config.Length - convs);
        return $"features.{modules - 2}";
    }
}
