using System.Globalization;
using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EvalHarness.Models.Config;

/// <summary>
/// Reads a model config from YAML and validates every field, reporting the first problem with the
/// file, line, column, field, bad value and the valid choices. Schema (docs in configs/models/*.yaml):
/// <code>
/// name: text                        # optional display name
/// architecture: resnet50            # a ModelZoo name
/// weights: path.safetensors|.pth|.pt  # optional; absent = eh-init-v1 with init_seed (not pretrained)
/// init_seed: 0                      # only without weights
/// num_classes: 1000
/// labels: imagenet | path.txt       # optional; one class name per line
/// strip_prefix: "module."           # optional; only with weights
/// target_layer: layer4              # optional; the architecture's default
/// preprocessing:                    # preset (+ overrides) or every field
///   preset: torchvision | caffe
///   resize: 256 | [W, H] | none     # shorter side N, exact W×H, or none
///   antialias: true | false
///   center_crop: 224 | [W, H] | none
///   channel_order: RGB | BGR
///   pixel_range: 1 | 255            # inputs scaled to 0..1 (÷255) or kept 0..255
///   mean: [a, b, c]                 # in channel_order
///   std: [a, b, c]
///   input_size: 224 | [W, H]        # the network input; must equal the crop (or exact resize)
/// </code>
/// String values may use ${NAME} and ${NAME:-default} (see <see cref="EnvironmentSubstitution"/>).
/// </summary>
internal sealed class ModelConfigReader
{
    private const string KeyName = "name";
    private const string KeyArchitecture = "architecture";
    private const string KeyWeights = "weights";
    private const string KeyInitSeed = "init_seed";
    private const string KeyNumClasses = "num_classes";
    private const string KeyLabels = "labels";
    private const string KeyStripPrefix = "strip_prefix";
    private const string KeyTargetLayer = "target_layer";
    private const string KeyPreprocessing = "preprocessing";

    private const string KeyPreset = "preset";
    private const string KeyResize = "resize";
    private const string KeyAntialias = "antialias";
    private const string KeyCenterCrop = "center_crop";
    private const string KeyChannelOrder = "channel_order";
    private const string KeyPixelRange = "pixel_range";
    private const string KeyMean = "mean";
    private const string KeyStd = "std";
    private const string KeyInputSize = "input_size";

    private static readonly string[] TopKeys =
        [KeyName, KeyArchitecture, KeyWeights, KeyInitSeed, KeyNumClasses, KeyLabels, KeyStripPrefix, KeyTargetLayer, KeyPreprocessing];

    private static readonly string[] PreprocessingKeys =
        [KeyPreset, KeyResize, KeyAntialias, KeyCenterCrop, KeyChannelOrder, KeyPixelRange, KeyMean, KeyStd, KeyInputSize];

    /// <summary>Every field but the preset, which a config without a preset must all give.</summary>
    private static readonly string[] ExplicitKeys = PreprocessingKeys[1..];

    private static readonly string[] PresetNames = [Preprocessing.TorchvisionPreset, Preprocessing.CaffePreset];

    private static readonly string[] WeightExtensions = [".safetensors", ".pth", ".pt"];

    private readonly string _file;
    private readonly string _baseDirectory;
    private readonly bool _checkFiles;

    private ModelConfigReader(string file, string baseDirectory, bool checkFiles)
    {
        _file = file;
        _baseDirectory = baseDirectory;
        _checkFiles = checkFiles;
    }

    public static ModelConfig Load(string path, bool checkFiles)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileFormatException(path, "model config file not found.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileFormatException(path, Directory.Exists(path)
                ? "is a directory; give a model config file (.yaml)."
                : $"the model config cannot be read ({e.Message}).", e);
        }
        var full = Path.GetFullPath(path);
        var reader = new ModelConfigReader(path, Path.GetDirectoryName(full)!, checkFiles);
        return reader.Read(text, Path.GetFileNameWithoutExtension(path)) with { SourcePath = full };
    }

    public static ModelConfig Parse(string yaml, string sourceName, string baseDirectory, bool checkFiles)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentNullException.ThrowIfNull(baseDirectory);
        return new ModelConfigReader(sourceName, baseDirectory, checkFiles).Read(yaml, defaultName: null);
    }

    private ModelConfig Read(string yaml, string? defaultName)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ModelConfigException(_file, (int)e.Start.Line, (int)e.Start.Column, null, $"YAML syntax error: {StripMark(e)}");
        }
        catch (InvalidOperationException)
        {
            var (line, column) = YamlScan.LastReadablePosition(yaml);
            throw new ModelConfigException(_file, line, column, null, YamlScan.UnclosedMessage);
        }
        if (stream.Documents.Count == 0)
            throw new ModelConfigException(_file, 0, 0, null, "the file is empty; a model config needs at least 'architecture' and 'preprocessing'.");
        if (stream.Documents.Count > 1)
            throw Error(stream.Documents[1].RootNode, null, $"the file holds {stream.Documents.Count} YAML documents; a model config is one document.");
        var root = stream.Documents[0].RootNode;
        if (root is not YamlMappingNode map)
            throw Error(root, null, $"a model config is a mapping of keys (architecture: ..., preprocessing: ...), not {Describe(root)}.");

        var fields = Fields(map, null, TopKeys);

        var archNode = Required(fields, map, KeyArchitecture, null,
            $"missing; valid architectures: {string.Join(", ", ModelZoo.Architectures)}.");
        string arch = Text(archNode, KeyArchitecture);
        if (!ModelZoo.Contains(arch))
            throw Error(archNode, KeyArchitecture, NameMatcher.UnknownMessage("architecture", arch, ModelZoo.Architectures.ToList()));
        var spec = ModelZoo.Get(arch);

        string? name = Optional(fields, KeyName) is { } nameNode ? Text(nameNode, KeyName) : null;

        int numClasses = 1000;
        if (Optional(fields, KeyNumClasses) is { } ncNode)
            numClasses = Integer(ncNode, KeyNumClasses, 1, 1_000_000, "a positive number of classes (e.g. 1000)");

        string? weights = null;
        var weightsNode = Optional(fields, KeyWeights);
        if (weightsNode is not null) weights = WeightsPath(weightsNode);

        ulong seed = 0;
        if (Optional(fields, KeyInitSeed) is { } seedNode)
        {
            if (weights is not null)
                throw Error(seedNode, KeyInitSeed, $"init_seed only applies without weights (eh-init-v1 deterministic values); this config loads {weights}. Remove init_seed or weights.");
            string s = Text(seedNode, KeyInitSeed);
            if (!ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out seed))
                throw Error(seedNode, KeyInitSeed, $"'{s}' is not a valid seed; expected a whole number from 0 to {ulong.MaxValue}.");
        }

        string? strip = null;
        if (Optional(fields, KeyStripPrefix) is { } stripNode)
        {
            if (weights is null)
                throw Error(stripNode, KeyStripPrefix, "strip_prefix only applies to loaded weights; this config has no 'weights'.");
            strip = Text(stripNode, KeyStripPrefix);
        }

        string? labels = null;
        if (Optional(fields, KeyLabels) is { } labelsNode) labels = LabelsValue(labelsNode, numClasses);

        var ppNode = Required(fields, map, KeyPreprocessing, null,
            "missing; give 'preset: torchvision' or 'preset: caffe' (with optional overrides), or every field: " + string.Join(", ", ExplicitKeys) + ".");
        var (preprocessing, preset) = ReadPreprocessing(ppNode);

        var graph = spec.Create(numClasses);
        string? layer = null;
        if (Optional(fields, KeyTargetLayer) is { } layerNode)
        {
            layer = Text(layerNode, KeyTargetLayer);
            if (!graph.Contains(layer))
                throw Error(layerNode, KeyTargetLayer, NameMatcher.UnknownMessage("layer", layer, graph.ModuleNames));
        }
        var (w, h) = preprocessing.OutputSize!.Value;
        try
        {
            graph.InferShapes([1, 3, h, w]);
        }
        catch (ShapeException e)
        {
            throw Error(ppNode, KeyPreprocessing, $"{spec.Name} cannot take a {w}×{h} input: {e.Message}");
        }

        return new ModelConfig
        {
            Name = name ?? defaultName ?? spec.Name,
            Architecture = spec.Name,
            Weights = weights,
            InitSeed = seed,
            NumClasses = numClasses,
            Preprocessing = preprocessing,
            PreprocessingPreset = preset,
            TargetLayer = layer,
            Labels = labels,
            StripPrefix = strip,
        };
    }

    private string WeightsPath(YamlNode node)
    {
        string raw = Text(node, KeyWeights);
        string ext = Path.GetExtension(raw).ToLowerInvariant();
        if (!WeightExtensions.Contains(ext))
            throw Error(node, KeyWeights, $"'{raw}' is neither a safetensors nor a PyTorch file; valid extensions: {string.Join(", ", WeightExtensions)} " +
                "(convert other checkpoints with 'evalharness convert').");
        string full = Resolve(raw);
        if (_checkFiles && !File.Exists(full))
            throw Error(node, KeyWeights, $"the weights file {full} does not exist{(full != raw ? $" (from '{raw}', relative to the config's folder)" : "")}; " +
                "put the weights there (a PyTorch checkpoint converts with 'evalharness convert in.pth out.safetensors'), or leave weights out for eh-init-v1 values.");
        return full;
    }

    private string LabelsValue(YamlNode node, int numClasses)
    {
        string raw = Text(node, KeyLabels);
        if (raw.Equals(ModelConfig.ImageNetLabels, StringComparison.OrdinalIgnoreCase))
        {
            if (numClasses != ClassLabels.ImageNet.Count)
                throw Error(node, KeyLabels, $"the built-in imagenet list has {ClassLabels.ImageNet.Count} names but num_classes is {numClasses}; " +
                    "give a file with one name per class, or leave labels out.");
            return ModelConfig.ImageNetLabels;
        }
        string full = Resolve(raw);
        if (!_checkFiles) return full;
        if (!File.Exists(full))
            throw Error(node, KeyLabels, $"the labels file {full} does not exist; valid: '{ModelConfig.ImageNetLabels}' (built-in names) or a text file with one class name per line.");
        IReadOnlyList<string> names;
        try
        {
            names = ClassLabels.ReadFile(full);
        }
        catch (EvalHarnessException e)
        {
            throw Error(node, KeyLabels, e.Message);
        }
        if (names.Count != numClasses)
            throw Error(node, KeyLabels, $"{full} has {names.Count} class names but num_classes is {numClasses}; it needs one name per line for every class.");
        return full;
    }

    private (Preprocessing Value, string? Preset) ReadPreprocessing(YamlNode node)
    {
        const string field = KeyPreprocessing;
        if (node is not YamlMappingNode map)
            throw Error(node, field, $"expected a mapping (preset: torchvision, ...), not {Describe(node)}.");
        var f = Fields(map, field, PreprocessingKeys);
        string P(string key) => $"{field}.{key}";

        (int W, int H)? inputSize = null;
        var sizeNode = Optional(f, KeyInputSize);
        if (sizeNode is not null)
            inputSize = Size(sizeNode, P(KeyInputSize), allowNone: false) ?? throw new InvalidOperationException();

        Preprocessing p;
        string? preset = null;
        if (Optional(f, KeyPreset) is { } presetNode)
        {
            string name = Text(presetNode, P(KeyPreset));
            preset = PresetNames.FirstOrDefault(n => n.Equals(name, StringComparison.OrdinalIgnoreCase))
                ?? throw Error(presetNode, P(KeyPreset), NameMatcher.UnknownMessage("preset", name, PresetNames));
            if (inputSize is { } s && s.W != s.H)
                throw Error(sizeNode!, P(KeyInputSize), $"{s.W}×{s.H} is not square; a preset takes one size (e.g. input_size: 224). " +
                    "For a non-square input give every field without a preset.");
            p = Preprocessing.Preset(preset, inputSize?.W);
        }
        else
        {
            var missing = ExplicitKeys.Where(k => Optional(f, k) is null).ToList();
            if (missing.Count > 0)
                throw Error(node, field, $"without a preset every field must be given; missing: {string.Join(", ", missing)}. " +
                    $"Or start from 'preset: torchvision' or 'preset: caffe' and override fields.");
            p = new Preprocessing();
        }

        if (Optional(f, KeyResize) is { } resizeNode)
        {
            p = Size(resizeNode, P(KeyResize), allowNone: true, shorterSide: true) switch
            {
                null => p with { Resize = ResizeMode.None, ResizeShorter = 0, ResizeWidth = 0, ResizeHeight = 0 },
                var (rw, rh) when rh < 0 => p with { Resize = ResizeMode.ShorterSide, ResizeShorter = rw, ResizeWidth = 0, ResizeHeight = 0 },
                var (rw, rh) => p with { Resize = ResizeMode.Exact, ResizeShorter = 0, ResizeWidth = rw, ResizeHeight = rh },
            };
        }
        if (Optional(f, KeyAntialias) is { } aaNode) p = p with { Antialias = Boolean(aaNode, P(KeyAntialias)) };
        if (Optional(f, KeyCenterCrop) is { } cropNode)
        {
            var crop = Size(cropNode, P(KeyCenterCrop), allowNone: true);
            p = p with { CropWidth = crop?.W, CropHeight = crop?.H };
        }
        if (Optional(f, KeyChannelOrder) is { } orderNode)
        {
            string order = Text(orderNode, P(KeyChannelOrder));
            p = p with
            {
                ChannelOrder = order.ToUpperInvariant() switch
                {
                    "RGB" => ChannelOrder.Rgb,
                    "BGR" => ChannelOrder.Bgr,
                    _ => throw Error(orderNode, P(KeyChannelOrder), NameMatcher.UnknownMessage("channel order", order, ["RGB", "BGR"])),
                },
            };
        }
        if (Optional(f, KeyPixelRange) is { } rangeNode)
        {
            string range = Text(rangeNode, P(KeyPixelRange));
            p = p with
            {
                Scale = range switch
                {
                    "1" => 1.0 / 255,
                    "255" => 1.0,
                    _ => throw Error(rangeNode, P(KeyPixelRange),
                        $"'{range}' is not a valid pixel range; valid: 1 (pixels divided by 255 into 0..1, torchvision) or 255 (pixels kept in 0..255, Caffe)."),
                },
            };
        }
        if (Optional(f, KeyMean) is { } meanNode) p = p with { Mean = Triple(meanNode, P(KeyMean), positive: false) };
        if (Optional(f, KeyStd) is { } stdNode) p = p with { Std = Triple(stdNode, P(KeyStd), positive: true) };

        try
        {
            p.Validate();
        }
        catch (EvalHarnessException e)
        {
            throw Error(node, field, e.Message);
        }
        var output = p.OutputSize;
        if (output is null)
            throw Error(node, field, $"{p} gives inputs of varying size; add center_crop (e.g. 224) or an exact resize [W, H] so that every image becomes one input size.");
        if (inputSize is { } want && want != output.Value)
            throw Error(sizeNode!, P(KeyInputSize), $"is {want.W}×{want.H} but the preprocessing produces {output.Value.Width}×{output.Value.Height} " +
                $"({(p.CropWidth is null ? "the exact resize" : "the centre crop")}); make them agree.");
        return (p, preset);
    }

    // --- field access -------------------------------------------------------------------------------

    /// <summary>The mapping's entries by key; an unknown key is an error naming the nearest valid ones.</summary>
    private Dictionary<string, YamlNode> Fields(YamlMappingNode map, string? parent, string[] valid)
    {
        var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
                throw Error(keyNode, parent, $"keys must be plain names, not {Describe(keyNode)}.");
            string path = parent is null ? key : $"{parent}.{key}";
            if (!valid.Contains(key))
            {
                var near = NameMatcher.Nearest(key, valid);
                string hint = near.Count > 0 ? $" Did you mean: {string.Join(", ", near)}?" : "";
                throw Error(keyNode, path, $"unknown key '{key}'.{hint} Valid keys{(parent is null ? "" : $" under {parent}")}: {string.Join(", ", valid)}.");
            }
            if (!IsNull(value)) result[key] = value;
        }
        return result;
    }

    private static YamlNode? Optional(Dictionary<string, YamlNode> fields, string key) => fields.GetValueOrDefault(key);

    private YamlNode Required(Dictionary<string, YamlNode> fields, YamlMappingNode map, string key, string? parent, string problem) =>
        fields.GetValueOrDefault(key) ?? throw Error(map, parent is null ? key : $"{parent}.{key}", problem);

    /// <summary>A scalar's text after ${...} substitution.</summary>
    private string Text(YamlNode node, string field)
    {
        if (node is not YamlScalarNode scalar)
            throw Error(node, field, $"expected a single value, not {Describe(node)}.");
        string value = scalar.Value ?? "";
        try
        {
            value = EnvironmentSubstitution.Apply(value);
        }
        catch (EvalHarnessException e)
        {
            throw Error(node, field, e.Message);
        }
        if (string.IsNullOrWhiteSpace(value))
            throw Error(node, field, "is empty; give a value or leave the key out.");
        return value.Trim();
    }

    private int Integer(YamlNode node, string field, int min, int max, string expected)
    {
        string s = Text(node, field);
        if (!int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
            throw Error(node, field, $"'{s}' is not valid; expected {expected}.");
        return v;
    }

    private bool Boolean(YamlNode node, string field)
    {
        string s = Text(node, field);
        return s.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw Error(node, field, $"'{s}' is not valid; expected true or false."),
        };
    }

    /// <summary>
    /// N (square N×N; with <paramref name="shorterSide"/>: the shorter side, returned as (N, −1)), [W, H], or
    /// none (null, when allowed).
    /// </summary>
    private (int W, int H)? Size(YamlNode node, string field, bool allowNone, bool shorterSide = false)
    {
        string expected = (shorterSide ? "N (the shorter side in pixels)" : "N (N×N pixels)") + ", [W, H]" + (allowNone ? " or none" : "");
        if (node is YamlSequenceNode seq)
        {
            if (seq.Children.Count != 2)
                throw Error(node, field, $"a list of {seq.Children.Count} values; expected {expected}.");
            int w = Integer(seq.Children[0], field + "[0]", 1, 65_536, "a width in pixels (1 to 65536)");
            int h = Integer(seq.Children[1], field + "[1]", 1, 65_536, "a height in pixels (1 to 65536)");
            return (w, h);
        }
        if (node is not YamlScalarNode)
            throw Error(node, field, $"expected {expected}, not {Describe(node)}.");
        string s = Text(node, field);
        if (s.Equals("none", StringComparison.OrdinalIgnoreCase))
            return allowNone ? null : throw Error(node, field, $"cannot be none; expected {expected}.");
        if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || n > 65_536)
            throw Error(node, field, $"'{s}' is not valid; expected {expected}.");
        return shorterSide ? (n, -1) : (n, n);
    }

    private float[] Triple(YamlNode node, string field, bool positive)
    {
        string what = positive ? "positive numbers" : "numbers";
        if (node is not YamlSequenceNode seq || seq.Children.Count != 3)
            throw Error(node, field, $"expected a list of 3 {what}, one per channel in channel_order (e.g. [0.485, 0.456, 0.406]), not {Describe(node)}.");
        var values = new float[3];
        for (int i = 0; i < 3; i++)
        {
            var item = seq.Children[i];
            string s = Text(item, $"{field}[{i}]");
            if (!float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v) || (positive && v <= 0))
                throw Error(item, $"{field}[{i}]", $"'{s}' is not valid; expected {(positive ? "a positive finite number" : "a finite number")}.");
            values[i] = v;
        }
        return values;
    }

    private string Resolve(string path) => Path.GetFullPath(Path.Combine(_baseDirectory, path));

    private ModelConfigException Error(YamlNode node, string? field, string problem) =>
        new(_file, (int)node.Start.Line, (int)node.Start.Column, field, problem);

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s && s.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode s => $"'{s.Value}'",
        YamlSequenceNode seq => $"a list of {seq.Children.Count} items",
        YamlMappingNode => "a mapping",
        _ => node.NodeType.ToString(),
    };

    /// <summary>YamlDotNet prefixes its messages with "(Line: .., Col: .., Idx: ..) - (...): "; the location is reported separately.</summary>
    private static string StripMark(YamlException e)
    {
        string m = e.Message;
        int colon = m.IndexOf("): ", StringComparison.Ordinal);
        return m.StartsWith("(Line:", StringComparison.Ordinal) && colon > 0 ? m[(colon + 3)..] : m;
    }
}
