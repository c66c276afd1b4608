using EvalHarness.Engine.Gemm;

namespace EvalHarness.Benchmarks;

/// <summary>One GEMM problem: C (M×N) = op(A) (M×K) · op(B) (K×N), named after the layer it comes from.</summary>
public sealed record GemmShape(string Name, bool TransA, bool TransB, int M, int N, int K, GemmOperand? Constant)
{
    public double Flops => 2.0 * M * N * K;

    /// <summary>
    /// <see cref="Constant"/> names the operand that is a layer's weights (it can be pre-packed).
    /// Convolutions as im2col products at 224×224, batch 1 (M = output channels, N = output pixels,
    /// K = input channels × kernel area), the backward products of one of them, and VGG16's fc6 at batch 16.
    /// </summary>
    public static IReadOnlyList<GemmShape> ConvAndFc { get; } =
    [
        new("vgg16.conv1_2", false, false, 64, 50176, 576, GemmOperand.A),
        new("vgg16.conv2_2", false, false, 128, 12544, 1152, GemmOperand.A),
        new("vgg16.conv3_2", false, false, 256, 3136, 2304, GemmOperand.A),
        new("vgg16.conv4_2", false, false, 512, 784, 4608, GemmOperand.A),
        new("vgg16.conv5_2", false, false, 512, 196, 4608, GemmOperand.A),
        new("resnet50.conv1", false, false, 64, 12544, 147, GemmOperand.A),
        new("resnet50.l1.conv1x1", false, false, 256, 3136, 64, GemmOperand.A),
        new("resnet50.l1.conv3x3", false, false, 64, 3136, 576, GemmOperand.A),
        new("resnet50.l3.conv3x3", false, false, 256, 196, 2304, GemmOperand.A),
        new("resnet50.l4.conv1x1", false, false, 2048, 49, 512, GemmOperand.A),
        new("resnet50.l4.conv1x1.in", false, false, 512, 49, 2048, GemmOperand.A),
        new("resnet50.l4.conv3x3", false, false, 512, 49, 4608, GemmOperand.A),
        new("resnet50.l3.conv1x1", false, false, 1024, 196, 256, GemmOperand.A),
        new("resnet50.l3.conv1x1.in", false, false, 256, 196, 1024, GemmOperand.A),
        new("resnet50.l2.conv1x1", false, false, 512, 784, 128, GemmOperand.A),
        new("resnet50.l4.conv1x1.T", true, true, 49, 2048, 512, GemmOperand.B),
        new("resnet50.l4.conv1x1.in.T", true, true, 49, 512, 2048, GemmOperand.B),
        new("resnet50.l4.conv3x3.T", true, true, 49, 512, 4608, GemmOperand.B),
        new("vgg16.conv3_2.dX", true, false, 2304, 3136, 256, GemmOperand.A),
        new("vgg16.conv3_2.dW", false, true, 256, 2304, 3136, null),
        new("vgg16.fc6.b16", false, true, 16, 4096, 25088, GemmOperand.B),
    ];

    public override string ToString() => Name;
}
