using EvalHarness.Engine.Nn.Graph;

namespace EvalHarness.Models;

/// <summary>A registered architecture: how to build it and its defaults.</summary>
public sealed class ArchitectureSpec
{
    private readonly Func<int, Graph> _build;

    public ArchitectureSpec(string name, string family, string defaultTargetLayer, int inputSize, Func<int, Graph> build, bool torchvision = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(family);
        ArgumentException.ThrowIfNullOrWhiteSpace(defaultTargetLayer);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentNullException.ThrowIfNull(build);
        Name = name;
        Family = family;
        DefaultTargetLayer = defaultTargetLayer;
        InputSize = inputSize;
        _build = build;
        Torchvision = torchvision;
    }

    /// <summary>The torchvision builder name, e.g. "resnet50".</summary>
    public string Name { get; }

    /// <summary>"vgg", "resnet", "squeezenet", "alexnet", "mobilenet", or "synthnet" (not a torchvision model).</summary>
    public string Family { get; }

    /// <summary>True when the architecture is torchvision's (same modules and state-dict names); false for synthnet.</summary>
    public bool Torchvision { get; }

    /// <summary>The module CAM methods explain by default (the last convolutional feature map).</summary>
    public string DefaultTargetLayer { get; }

    /// <summary>Side of the square input torchvision's ImageNet weights expect (its crop size).</summary>
    public int InputSize { get; }

    /// <summary>Builds the network with zero-filled parameters (BatchNorm: weight 1, running_var 1).</summary>
    public Graph Create(int numClasses = 1000) => _build(numClasses);

    public override string ToString() => Name;
}
