namespace EvalHarness.Engine.Nn.Graph;

/// <summary>One call of a layer in a graph. <see cref="Inputs"/> are node indices; -1 is the graph input.</summary>
public sealed class Node
{
    internal Node(int index, string name, Layer layer, int[] inputs)
    {
        Index = index;
        Name = name;
        Layer = layer;
        Inputs = inputs;
    }

    public int Index { get; }

    /// <summary>The module path as in torchvision ("features.12", "layer4.2.conv1"); a module called
    /// twice gets "#1", "#2", ... on its later calls ("layer1.0.relu#1").</summary>
    public string Name { get; }

    public Layer Layer { get; }

    public IReadOnlyList<int> Inputs { get; }

    public override string ToString() => $"{Name}: {Layer}";
}
