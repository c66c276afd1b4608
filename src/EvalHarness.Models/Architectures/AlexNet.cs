using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Models.Architectures;

/// <summary>
/// AlexNet (Krizhevsky 2014, "One weird trick" variant) as torchvision 0.14 builds it (torchvision/models/alexnet.py):
/// features.{0..12}, avgpool (adaptive 6×6), flatten, classifier.{0..6} with dropout at 0 and 3.
/// </summary>
public static class AlexNet
{
    /// <summary>The last ReLU of features, before the final max-pool.</summary>
    public const string LastFeatureRelu = "features.11";

    public static Graph Build(int numClasses)
    {
        ZooChecks.NumClasses(numClasses);
        var b = new GraphBuilder();
        using (b.Scope("features"))
        {
            b.Add("0", new Conv2d(3, 64, 11, stride: 4, padding: 2), GraphBuilder.Input);
            b.Add("1", new ReLU());
            b.Add("2", new MaxPool2d(3, 2));
            b.Add("3", new Conv2d(64, 192, 5, padding: 2));
            b.Add("4", new ReLU());
            b.Add("5", new MaxPool2d(3, 2));
            b.Add("6", new Conv2d(192, 384, 3, padding: 1));
            b.Add("7", new ReLU());
            b.Add("8", new Conv2d(384, 256, 3, padding: 1));
            b.Add("9", new ReLU());
            b.Add("10", new Conv2d(256, 256, 3, padding: 1));
            b.Add("11", new ReLU());
            b.Add("12", new MaxPool2d(3, 2));
        }
        b.Add("avgpool", new AdaptiveAvgPool2d(6, 6));
        b.Add("flatten", new Flatten(1));
        using (b.Scope("classifier"))
        {
            b.Add("0", new Dropout(0.5f));
            b.Add("1", new Linear(256 * 6 * 6, 4096));
            b.Add("2", new ReLU());
            b.Add("3", new Dropout(0.5f));
            b.Add("4", new Linear(4096, 4096));
            b.Add("5", new ReLU());
            b.Add("6", new Linear(4096, numClasses));
        }
        return b.Build();
    }
}
