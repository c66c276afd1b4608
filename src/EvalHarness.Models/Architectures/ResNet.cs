using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Models.Architectures;

/// <summary>
/// ResNet (He et al. 2016) as torchvision 0.14 builds it (torchvision/models/resnet.py, the "v1.5" bottleneck
/// with the stride on the 3×3 conv): conv1, bn1, relu, maxpool, layer1..layer4, avgpool, flatten, fc.
/// A block's residual sum is the node "add" (e.g. "layer1.0.add"); the block's single ReLU module is
/// called after each inner conv and after the sum, so its later calls are "relu#1" (and "relu#2" in a
/// bottleneck), the last of which is the block's output.
/// </summary>
public static class ResNet
{
    /// <summary>Blocks per stage and whether the block is a bottleneck, for depth 18, 34, 50, 101, 152.</summary>
    public static (int[] Blocks, bool Bottleneck) Config(int depth) => depth switch
    {
        18 => ([2, 2, 2, 2], false),
        34 => ([3, 4, 6, 3], false),
        50 => ([3, 4, 6, 3], true),
        101 => ([3, 4, 23, 3], true),
        152 => ([3, 8, 36, 3], true),
        _ => throw new ArgumentOutOfRangeException(nameof(depth), $"ResNet depth {depth} does not exist; use 18, 34, 50, 101 or 152."),
    };

    public static Graph Build(int depth, int numClasses)
    {
        ZooChecks.NumClasses(numClasses);
        var (blocks, bottleneck) = Config(depth);
        int expansion = bottleneck ? 4 : 1;
        var b = new GraphBuilder();
        int x = b.Add("conv1", new Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false), GraphBuilder.Input);
        x = b.Add("bn1", new BatchNorm2d(64), x);
        x = b.Add("relu", new ReLU(), x);
        x = b.Add("maxpool", new MaxPool2d(3, 2, padding: 1), x);
        int inplanes = 64;
        for (int stage = 0; stage < 4; stage++)
        {
            int planes = 64 << stage;
            using (b.Scope($"layer{stage + 1}"))
            {
                for (int i = 0; i < blocks[stage]; i++)
                {
                    int stride = stage > 0 && i == 0 ? 2 : 1;
                    bool downsample = i == 0 && (stride != 1 || inplanes != planes * expansion);
                    using (b.Scope($"{i}"))
                    {
                        x = bottleneck
                            ? Bottleneck(b, x, inplanes, planes, stride, downsample)
                            : BasicBlock(b, x, inplanes, planes, stride, downsample);
                    }
                    inplanes = planes * expansion;
                }
            }
        }
        b.Add("avgpool", new AdaptiveAvgPool2d(1, 1), x);
        b.Add("flatten", new Flatten(1));
        b.Add("fc", new Linear(512 * expansion, numClasses));
        return b.Build();
    }

    private static int BasicBlock(GraphBuilder b, int x, int inplanes, int planes, int stride, bool downsample)
    {
        var relu = new ReLU();
        int o = b.Add("conv1", new Conv2d(inplanes, planes, 3, stride: stride, padding: 1, bias: false), x);
        o = b.Add("bn1", new BatchNorm2d(planes), o);
        o = b.Add("relu", relu, o);
        o = b.Add("conv2", new Conv2d(planes, planes, 3, padding: 1, bias: false), o);
        o = b.Add("bn2", new BatchNorm2d(planes), o);
        int identity = downsample ? Downsample(b, x, inplanes, planes, stride) : x;
        o = b.Add("add", new Add(), o, identity);
        return b.Add("relu", relu, o);
    }

    private static int Bottleneck(GraphBuilder b, int x, int inplanes, int planes, int stride, bool downsample)
    {
        var relu = new ReLU();
        int width = planes;
        int o = b.Add("conv1", new Conv2d(inplanes, width, 1, bias: false), x);
        o = b.Add("bn1", new BatchNorm2d(width), o);
        o = b.Add("relu", relu, o);
        o = b.Add("conv2", new Conv2d(width, width, 3, stride: stride, padding: 1, bias: false), o);
        o = b.Add("bn2", new BatchNorm2d(width), o);
        o = b.Add("relu", relu, o);
        o = b.Add("conv3", new Conv2d(width, planes * 4, 1, bias: false), o);
        o = b.Add("bn3", new BatchNorm2d(planes * 4), o);
        int identity = downsample ? Downsample(b, x, inplanes, planes * 4, stride) : x;
        o = b.Add("add", new Add(), o, identity);
        return b.Add("relu", relu, o);
    }

    private static int Downsample(GraphBuilder b, int x, int inplanes, int outplanes, int stride)
    {
        using (b.Scope("downsample"))
        {
            int d = b.Add("0", new Conv2d(inplanes, outplanes, 1, stride: stride, bias: false), x);
            return b.Add("1", new BatchNorm2d(outplanes), d);
        }
    }
}
