namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// The geometry of one 2-D convolution or pooling window over a C×H×W image:
/// output (oh, ow) at tap (ki, kj) reads input (oh·StrideH − PadH + ki·DilationH, ow·StrideW − PadW + kj·DilationW).
/// </summary>
internal readonly record struct ConvWindow(
    int Height, int Width, int OutHeight, int OutWidth,
    int KernelH, int KernelW, int StrideH, int StrideW, int PadH, int PadW, int DilationH, int DilationW)
{
    public int InPlane => Height * Width;

    public int OutPlane => OutHeight * OutWidth;

    public int Taps => KernelH * KernelW;

    /// <summary>
    /// The outputs [Lo, Hi) along one axis whose input index o·stride + offset lies in [0, size).
    /// </summary>
    public static (int Lo, int Hi) ValidRange(int outSize, int inSize, int stride, int offset)
    {
        int lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
        int last = inSize - 1 - offset;
        int hi = last < 0 ? 0 : Math.Min(outSize, last / stride + 1);
        return (lo, Math.Max(lo, hi));
    }
}
