using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Models.Architectures;

/// <summary>
/// MobileNetV2 (Sandler et al. 2018) at width 1.0 as torchvision 0.14 builds it (torchvision/models/mobilenetv2.py):
/// features.0 and features.18 are Conv2dNormActivation (conv, bn, ReLU6 as .0/.1/.2); features.1..17 are
/// inverted residual blocks whose layers sit under "conv" and whose residual sum is the node "add"
/// (e.g. "features.3.add"). The functional adaptive_avg_pool2d is the node "avgpool", then flatten and
/// classifier.{0: Dropout(0.2), 1: Linear(1280 → classes)}.
/// </summary>
public static class MobileNetV2
{
    /// <summary>The last Conv2dNormActivation (1280 channels, 7×7 at 224 input).</summary>
    public const string LastFeatures = "features.18";

    // t (expansion), c (channels), n (repeats), s (first stride): the paper's Table 2.
    private static readonly (int T, int C, int N, int S)[] Setting =
        [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)];

    public static Graph Build(int numClasses)
    {
        ZooChecks.NumClasses(numClasses);
        const int lastChannel = 1280;
        var b = new GraphBuilder();
        int x;
        using (b.Scope("features"))
        {
            int input = 32;
            x = ConvBnReLU6(b, "0", GraphBuilder.Input, 3, input, 3, 2, 1);
            int index = 1;
            foreach (var (t, c, n, s) in Setting)
            {
                for (int i = 0; i < n; i++)
                {
                    x = InvertedResidual(b, $"{index++}", x, input, c, i == 0 ? s : 1, t);
                    input = c;
                }
            }
            x = ConvBnReLU6(b, $"{index}", x, input, lastChannel, 1, 1, 1);
        }
        b.Add("avgpool", new AdaptiveAvgPool2d(1, 1), x);
        b.Add("flatten", new Flatten(1));
        using (b.Scope("classifier"))
        {
            b.Add("0", new Dropout(0.2f));
            b.Add("1", new Linear(lastChannel, numClasses));
        }
        return b.Build();
    }

    /// <summary>torchvision.ops.Conv2dNormActivation with ReLU6: conv (no bias, padding (k−1)/2), BatchNorm2d, ReLU6.</summary>
    private static int ConvBnReLU6(GraphBuilder b, string name, int x, int inChannels, int outChannels, int kernel, int stride, int groups)
    {
        using (b.Scope(name))
        {
            x = b.Add("0", new Conv2d(inChannels, outChannels, kernel, stride: stride, padding: (kernel - 1) / 2, groups: groups, bias: false), x);
            x = b.Add("1", new BatchNorm2d(outChannels), x);
            return b.Add("2", new ReLU6(), x);
        }
    }

    private static int InvertedResidual(GraphBuilder b, string name, int x, int inp, int oup, int stride, int expandRatio)
    {
        int hidden = inp * expandRatio;
        bool residual = stride == 1 && inp == oup;
        using (b.Scope(name))
        {
            int o = x;
            using (b.Scope("conv"))
            {
                int i = 0;
                if (expandRatio != 1) o = ConvBnReLU6(b, $"{i++}", o, inp, hidden, 1, 1, 1);
                o = ConvBnReLU6(b, $"{i++}", o, hidden, hidden, 3, stride, hidden);
                o = b.Add($"{i++}", new Conv2d(hidden, oup, 1, bias: false), o);
                o = b.Add($"{i}", new BatchNorm2d(oup), o);
            }
            return residual ? b.Add("add", new Add(), x, o) : o;
        }
    }
}
