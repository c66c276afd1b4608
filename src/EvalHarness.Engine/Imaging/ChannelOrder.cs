namespace EvalHarness.Engine.Imaging;

/// <summary>Order of the three colour planes in a network's input tensor.</summary>
public enum ChannelOrder
{
    /// <summary>R, G, B (torchvision models).</summary>
    Rgb,

    /// <summary>B, G, R (Caffe models).</summary>
    Bgr,
}
