using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Models.Architectures;

/// <summary>
/// The small CNN of the synthetic ground-truth benchmark, for 64×64 inputs: four blocks of
/// Conv3×3 (no bias) → BatchNorm → ReLU, the first three followed by MaxPool 2×2 (64 → 32 → 16 → 8),
/// with 16, 32, 32 and 16 channels; then global average pooling and one linear layer, so that CAM
/// applies and the 16 maps of the last block can be enumerated exactly for Shapley values (2^16 coalitions).
/// Names follow torchvision's Sequential style: features.{0..14}, avgpool, flatten, classifier.
/// </summary>
public static class SynthNet
{
    /// <summary>The last block's ReLU (8×8×16): the default target layer.</summary>
    public const string LastFeatureRelu = "features.14";

    public const int InputSize = 64;

    public static readonly int[] Widths = [16, 32, 32, 16];

    public static Graph Build(int numClasses)
    {
        ZooChecks.NumClasses(numClasses);
        var b = new GraphBuilder();
        int index = 0, inChannels = 3;
        using (b.Scope("features"))
        {
            for (int block = 0; block < Widths.Length; block++)
            {
                int w = Widths[block];
                b.Add((index++).ToString(System.Globalization.CultureInfo.InvariantCulture), new Conv2d(inChannels, w, 3, padding: 1, bias: false),
                    block == 0 ? GraphBuilder.Input : b.Last);
                b.Add((index++).ToString(System.Globalization.CultureInfo.InvariantCulture), new BatchNorm2d(w));
                b.Add((index++).ToString(System.Globalization.CultureInfo.InvariantCulture), new ReLU());
                if (block < Widths.Length - 1) b.Add((index++).ToString(System.Globalization.CultureInfo.InvariantCulture), new MaxPool2d(2, 2));
                inChannels = w;
            }
        }
        b.Add("avgpool", new AdaptiveAvgPool2d(1, 1));
        b.Add("flatten", new Flatten(1));
        b.Add("classifier", new Linear(inChannels, numClasses));
        return b.Build();
    }
}
