namespace EvalHarness.Engine.Nn.Layers;

internal static class LayerChecks
{
    /// <summary>Throws when the gradient handed to Backward does not have the output's shape.</summary>
    public static void GradientMatchesOutput(Layer layer, Tensor output, Tensor gradOutput)
    {
        if (!gradOutput.SameShape(output))
            throw new ShapeException($"{layer}: the output gradient has shape {gradOutput.ShapeString}; the output has {output.ShapeString}.");
    }

    /// <summary>Throws when a tensor handed to Backward is not the shape Forward would accept.</summary>
    public static void SameShape(Layer layer, string what, Tensor actual, int[] expected)
    {
        if (!actual.Shape.SequenceEqual(expected))
            throw new ShapeException($"{layer}: {what} has shape {actual.ShapeString}; expected {ShapeUtil.Format(expected)}.");
    }
}
