namespace EvalHarness.Engine.Nn.Layers;

/// <summary>Base of single-input layers whose output has the input's shape.</summary>
public abstract class ShapePreservingLayer : Layer
{
    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        CheckArity(inputShapes);
        return (int[])inputShapes[0].Clone();
    }
}
