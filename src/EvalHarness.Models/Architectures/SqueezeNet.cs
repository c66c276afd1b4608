using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Models.Architectures;

/// <summary>
/// SqueezeNet 1.0 and 1.1 (Iandola et al. 2016) as torchvision 0.14 builds them (torchvision/models/squeezenet.py).
/// A Fire module is squeeze (1×1) → ReLU → [expand1x1 → ReLU, expand3x3 → ReLU] → torch.cat, the
/// concatenation being the node "cat" (e.g. "features.3.cat") so "features.3" is the module's output.
/// The classifier is Dropout, a 1×1 conv to the classes, ReLU, global average pool; then flatten.
/// </summary>
public static class SqueezeNet
{
    /// <summary>The last Fire module, the input of the classifier.</summary>
    public const string LastFire = "features.12";

    public static Graph Build(string version, int numClasses)
    {
        ZooChecks.NumClasses(numClasses);
        var b = new GraphBuilder();
        using (b.Scope("features"))
        {
            int x;
            if (version == "1_0")
            {
                x = b.Add("0", new Conv2d(3, 96, 7, stride: 2), GraphBuilder.Input);
                x = b.Add("1", new ReLU(), x);
                x = b.Add("2", new MaxPool2d(3, 2, ceilMode: true), x);
                x = Fire(b, "3", x, 96, 16, 64, 64);
                x = Fire(b, "4", x, 128, 16, 64, 64);
                x = Fire(b, "5", x, 128, 32, 128, 128);
                x = b.Add("6", new MaxPool2d(3, 2, ceilMode: true), x);
                x = Fire(b, "7", x, 256, 32, 128, 128);
                x = Fire(b, "8", x, 256, 48, 192, 192);
                x = Fire(b, "9", x, 384, 48, 192, 192);
                x = Fire(b, "10", x, 384, 64, 256, 256);
                x = b.Add("11", new MaxPool2d(3, 2, ceilMode: true), x);
                Fire(b, "12", x, 512, 64, 256, 256);
            }
            else if (version == "1_1")
            {
                x = b.Add("0", new Conv2d(3, 64, 3, stride: 2), GraphBuilder.Input);
                x = b.Add("1", new ReLU(), x);
                x = b.Add("2", new MaxPool2d(3, 2, ceilMode: true), x);
                x = Fire(b, "3", x, 64, 16, 64, 64);
                x = Fire(b, "4", x, 128, 16, 64, 64);
                x = b.Add("5", new MaxPool2d(3, 2, ceilMode: true), x);
                x = Fire(b, "6", x, 128, 32, 128, 128);
                x = Fire(b, "7", x, 256, 32, 128, 128);
                x = b.Add("8", new MaxPool2d(3, 2, ceilMode: true), x);
                x = Fire(b, "9", x, 256, 48, 192, 192);
                x = Fire(b, "10", x, 384, 48, 192, 192);
                x = Fire(b, "11", x, 384, 64, 256, 256);
                Fire(b, "12", x, 512, 64, 256, 256);
            }
            else
            {
                throw new ArgumentException($"SqueezeNet version '{version}' does not exist; use \"1_0\" or \"1_1\".", nameof(version));
            }
        }
        using (b.Scope("classifier"))
        {
            b.Add("0", new Dropout(0.5f));
            b.Add("1", new Conv2d(512, numClasses, 1));
            b.Add("2", new ReLU());
            b.Add("3", new AdaptiveAvgPool2d(1, 1));
        }
        b.Add("flatten", new Flatten(1));
        return b.Build();
    }

    private static int Fire(GraphBuilder b, string name, int x, int inplanes, int squeeze, int expand1x1, int expand3x3)
    {
        using (b.Scope(name))
        {
            x = b.Add("squeeze", new Conv2d(inplanes, squeeze, 1), x);
            x = b.Add("squeeze_activation", new ReLU(), x);
            int e1 = b.Add("expand1x1", new Conv2d(squeeze, expand1x1, 1), x);
            e1 = b.Add("expand1x1_activation", new ReLU(), e1);
            int e3 = b.Add("expand3x3", new Conv2d(squeeze, expand3x3, 3, padding: 1), x);
            e3 = b.Add("expand3x3_activation", new ReLU(), e3);
            return b.Add("cat", new Concat(), e1, e3);
        }
    }
}
