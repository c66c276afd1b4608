using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Models.Config;

namespace EvalHarness.Models;

/// <summary>A model ready to run: its graph with weights, its config, preprocessing and class names.</summary>
public sealed class LoadedModel
{
    internal LoadedModel(ModelConfig config, Graph graph, IReadOnlyList<string>? classNames, int loadedTensors)
    {
        Config = config;
        Graph = graph;
        ClassNames = classNames;
        LoadedTensors = loadedTensors;
    }

    public ModelConfig Config { get; }

    public Graph Graph { get; }

    public Preprocessing Preprocessing => Config.Preprocessing;

    /// <summary>One name per class, or null when the config gives none.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    public int NumClasses => Config.NumClasses;

    /// <summary>The module explained when no other is asked for.</summary>
    public string TargetLayer => Config.ResolvedTargetLayer;

    public bool Pretrained => Config.Pretrained;

    /// <summary>How many tensors came from the weights file (0 for eh-init-v1 weights).</summary>
    public int LoadedTensors { get; }

    public (int Width, int Height) InputSize => Config.InputSize;

    /// <summary>The class's name, or "class i" without names; an index out of range is an error naming the range.</summary>
    public string ClassName(int index)
    {
        CheckClass(index);
        return ClassNames?[index] ?? $"class {index}";
    }

    public void CheckClass(int index)
    {
        if (index < 0 || index >= NumClasses)
            throw new EvalHarnessException($"Class index {index} is out of range: {Config.Name} has {NumClasses} classes (0 to {NumClasses - 1}).");
    }

    /// <summary>Preprocesses one image into the 1×3×H×W network input.</summary>
    public PreparedInput Prepare(Image image) => Preprocessing.Apply(image);

    /// <summary>Logits N×classes for a batch of preprocessed inputs (no activations kept).</summary>
    public Tensor Logits(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Graph.Forward(batch, recordForBackward: false).Output;
    }

    public override string ToString() => $"{Config.Name} ({Config.Architecture}, {(Pretrained ? "pretrained" : "not pretrained")})";
}
