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

    /// <summary>Output size of a convolution or pooling window along one axis (PyTorch's formula).</summary>
    public static int WindowOutput(int input, int kernel, int stride, int padding, int dilation, bool ceilMode)
    {
        int effective = dilation * (kernel - 1) + 1;
        int span = input + 2 * padding - effective;
        if (span < 0) return 0;
        int output = ceilMode ? (span + stride - 1) / stride + 1 : span / stride + 1;
        // PyTorch: with ceil_mode the last window must start inside the input or the left padding.
        if (ceilMode && (output - 1) * stride >= input + padding) output--;
        return output;
    }
}
