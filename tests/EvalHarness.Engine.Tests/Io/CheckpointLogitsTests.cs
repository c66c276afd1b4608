using EvalHarness.Engine.Io;
using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Engine.Tests.Io;

/// <summary>A state dict saved by torch.save loads into the same network built from engine layers and reproduces PyTorch's logits.</summary>
public class CheckpointLogitsTests
{
    // gen_pth.py's TinyConvNet: relu(bn1(conv1(x))) → conv2 → mean over (2, 3) → fc.
    private static Graph TinyConvNet()
    {
        var b = new GraphBuilder();
        b.Add("conv1", new Conv2d(3, 4, 3), GraphBuilder.Input);
        b.Add("bn1", new BatchNorm2d(4));
        b.Add("relu", new ReLU());
        b.Add("conv2", new Conv2d(4, 6, 3, bias: false));
        b.Add("mean", new AdaptiveAvgPool2d(1));
        b.Add("flatten", new Flatten());
        b.Add("fc", new Linear(6, 5));
        return b.Build();
    }

    [Fact]
    public void Loaded_checkpoint_reproduces_pytorch_logits()
    {
        var graph = TinyConvNet();
        var checkpoint = PyTorchCheckpoint.Load(PthFixtures.File("convnet.pth"));
        StateDictLoader.Load(graph, checkpoint.Tensors);
        var x = Npy.ReadTensor(PthFixtures.Expected("convnet_forward", "input"));
        var expected = Npy.ReadTensor(PthFixtures.Expected("convnet_forward", "logits"));
        var logits = graph.Forward(x, recordForBackward: false).Output;
        Assert.Equal(expected.ShapeArray, logits.ShapeArray);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected.Data[i], logits.Data[i], 5);
    }
}
