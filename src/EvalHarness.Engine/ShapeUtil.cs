namespace EvalHarness.Engine;

public static class ShapeUtil
{
    public static int Volume(ReadOnlySpan<int> shape)
    {
        long v = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ShapeException($"Negative dimension {d} in shape {Format(shape)}.");
            v *= d;
            if (v > Array.MaxLength) throw new ShapeException($"Shape {Format(shape)} is too large for one buffer.");
        }
        return (int)v;
    }

    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join("×", shape.ToArray()) + "]";

    /// <summary>
    /// Output size of a convolution or pooling window along one axis, PyTorch's pooling_output_shape:
    /// floor((input + 2·padding − dilation·(kernel − 1) − 1 [+ stride − 1 with ceil_mode]) / stride) + 1,
    /// and with ceil_mode the last window must start inside the input or the left padding. A result
    /// below 1 means the window does not fit (callers reject it).
    /// </summary>
    public static int WindowOutput(int input, int kernel, int stride, int padding, int dilation, bool ceilMode)
    {
        long numerator = (long)input + 2L * padding - (long)dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
        long output = (long)Math.Floor((double)numerator / stride) + 1;
        if (ceilMode && (output - 1) * stride >= input + padding) output--;
        return (int)Math.Clamp(output, 0, int.MaxValue);
    }
}
