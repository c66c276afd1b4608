using System.Globalization;
using System.Text;
using EvalHarness.Engine.Imaging;

namespace EvalHarness.Models.Config;

/// <summary>
/// A model as a config file describes it: the architecture, where its weights come from, how many
/// classes and their names, the preprocessing and the layer explained by default. Paths are absolute
/// (resolved against the config file's folder). Create with <see cref="Load"/> from YAML, or in code.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>The <c>labels</c> value that selects the built-in ImageNet-1k class names.</summary>
    public const string ImageNetLabels = "imagenet";

    /// <summary>Full path of the YAML file it came from; null when built in code.</summary>
    public string? SourcePath { get; init; }

    /// <summary>A display name: the config's <c>name</c>, else the file name without extension, else the architecture.</summary>
    public string Name { get => _name ?? Architecture; init => _name = value; }

    private readonly string? _name;

    /// <summary>A <see cref="ModelZoo"/> architecture name.</summary>
    public required string Architecture { get; init; }

    /// <summary>Absolute path of a .safetensors, .pth or .pt file; null for eh-init-v1 deterministic (not pretrained) weights.</summary>
    public string? Weights { get; init; }

    /// <summary>The eh-init-v1 seed used when <see cref="Weights"/> is null.</summary>
    public ulong InitSeed { get; init; }

    public int NumClasses { get; init; } = 1000;

    public required Preprocessing Preprocessing { get; init; }

    /// <summary>The preset the preprocessing started from ("torchvision", "caffe"), or null when every field was given.</summary>
    public string? PreprocessingPreset { get; init; }

    /// <summary>Module path explained by default; null means the architecture's default.</summary>
    public string? TargetLayer { get; init; }

    /// <summary><see cref="ImageNetLabels"/>, the absolute path of a class-name file (one per line), or null for none.</summary>
    public string? Labels { get; init; }

    /// <summary>A key prefix removed from the weights' names before loading (e.g. "module.").</summary>
    public string? StripPrefix { get; init; }

    public bool Pretrained => Weights is not null;

    public string ResolvedTargetLayer => TargetLayer ?? ModelZoo.DefaultTargetLayer(Architecture);

    /// <summary>The network input size (width, height) the preprocessing produces.</summary>
    public (int Width, int Height) InputSize =>
        Preprocessing.OutputSize ?? throw new InvalidOperationException("The preprocessing has no fixed output size.");

    /// <summary>Reads and validates a YAML model config; every problem is a <see cref="ModelConfigException"/> with file, line and column.</summary>
    /// <param name="path">The YAML file.</param>
    /// <param name="checkFiles">False skips the checks that the weights and labels files exist (and the labels count).</param>
    public static ModelConfig Load(string path, bool checkFiles = true) => ModelConfigReader.Load(path, checkFiles);

    /// <summary>Parses YAML text; relative paths resolve against <paramref name="baseDirectory"/>, errors name <paramref name="sourceName"/>.</summary>
    public static ModelConfig Parse(string yaml, string sourceName, string baseDirectory, bool checkFiles = true) =>
        ModelConfigReader.Parse(yaml, sourceName, baseDirectory, checkFiles);

    /// <summary>A config for an architecture with eh-init-v1 weights and torchvision preprocessing at its input size.</summary>
    public static ModelConfig ForArchitecture(string architecture, ulong initSeed = 0, int numClasses = 1000)
    {
        var spec = ModelZoo.Get(architecture);
        return new ModelConfig
        {
            Architecture = spec.Name,
            InitSeed = initSeed,
            NumClasses = numClasses,
            Preprocessing = Preprocessing.Preset(Preprocessing.TorchvisionPreset, spec.InputSize),
            PreprocessingPreset = Preprocessing.TorchvisionPreset,
            Labels = numClasses == 1000 ? ImageNetLabels : null,
        };
    }

    /// <summary>How the weights are obtained, in words.</summary>
    public string WeightsDescription => Weights is string w
        ? w + (StripPrefix is { Length: > 0 } p ? $" (prefix '{p}' stripped)" : "")
        : $"none: {DeterministicInit.Version} deterministic weights, seed {InitSeed.ToString(CultureInfo.InvariantCulture)} (NOT pretrained; predictions are meaningless)";

    /// <summary>A few aligned lines for people: every resolved field.</summary>
    public string Summary()
    {
        var (w, h) = InputSize;
        var sb = new StringBuilder();
        void Line(string key, string value) => sb.Append(key.PadRight(14)).Append(value).Append('\n');
        Line("name", Name);
        if (SourcePath is not null) Line("config", SourcePath);
        Line("architecture", Architecture);
        Line("weights", WeightsDescription);
        Line("classes", NumClasses.ToString(CultureInfo.InvariantCulture));
        Line("labels", Labels switch
        {
            null => "none (classes are shown by index)",
            ImageNetLabels => "imagenet (built-in, torchvision 0.14's list)",
            var path => path,
        });
        Line("preprocessing", (PreprocessingPreset is null ? "explicit: " : $"preset {PreprocessingPreset}: ") + Preprocessing);
        Line("input", $"1×3×{h}×{w}");
        Line("target layer", ResolvedTargetLayer + (TargetLayer is null ? " (the architecture's default)" : ""));
        return sb.ToString();
    }
}
