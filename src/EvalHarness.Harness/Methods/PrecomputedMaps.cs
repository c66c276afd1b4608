using System.Globalization;
using System.Text.RegularExpressions;
using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Io;
using EvalHarness.Saliency;

namespace EvalHarness.Harness.Methods;

/// <summary>
/// Method <c>precomputed</c>: maps computed elsewhere (e.g. by a Python pipeline), one .npy file per
/// image, found by the dataset id the runner passes in <see cref="ExplainContext.ImageIds"/>.
/// Parameters: <c>folder</c> (resolved by the caller), <c>pattern</c> (default "{id}.npy"; "{target}" is
/// replaced by the target class index), <c>resize</c> ("none" or "bilinear"). A file holds an H×W or
/// 1×H×W float32 or float64 array at the input resolution; another size is an error unless
/// resize: bilinear (torch.nn.functional.interpolate, bilinear, align_corners=False). Values pass
/// through unchanged, NaN included (the metrics count such maps).
/// </summary>
public sealed partial class PrecomputedMaps : ISaliencyMethod
{
    public const string Name = "precomputed";
    public const string DefaultPattern = "{id}.npy";

    private readonly string _folder;
    private readonly string _pattern;
    private readonly bool _resize;

    public PrecomputedMaps(string folder, string pattern = DefaultPattern, bool resize = false)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(pattern);
        if (string.IsNullOrWhiteSpace(folder))
            throw new EvalHarnessException($"Method '{Name}' needs the parameter 'folder': the folder that holds the .npy maps.");
        if (!pattern.Contains("{id}", StringComparison.Ordinal))
            throw new EvalHarnessException($"Parameter 'pattern' of method '{Name}' is '{pattern}'; it must contain {{id}} (the image id), e.g. '{DefaultPattern}' or 'maps/{{id}}_{{target}}.npy'.");
        foreach (Match m in Placeholder().Matches(pattern))
            if (m.Value is not ("{id}" or "{target}"))
                throw new EvalHarnessException($"Parameter 'pattern' of method '{Name}' has the unknown placeholder {m.Value}; valid placeholders: {{id}}, {{target}}.");
        _folder = Path.GetFullPath(folder);
        if (!Directory.Exists(_folder))
            throw new EvalHarnessException($"Parameter 'folder' of method '{Name}': the folder '{_folder}' does not exist.");
        _pattern = pattern;
        _resize = resize;
        Descriptor = new MethodDescriptor(Name, 1, "external", false,
            $"maps read from {Path.Combine(_folder, _pattern)}" + (resize ? ", resized bilinearly to the input" : ""));
    }

    /// <summary>From a config's parameters: folder, pattern, resize (none | bilinear); others are refused.</summary>
    public PrecomputedMaps(IReadOnlyDictionary<string, string>? parameters) : this(Read(parameters)) { }

    private PrecomputedMaps((string Folder, string Pattern, bool Resize) p) : this(p.Folder, p.Pattern, p.Resize) { }

    public MethodDescriptor Descriptor { get; }

    /// <summary>The file that holds the map of <paramref name="id"/> for <paramref name="target"/>.</summary>
    public string PathFor(string id, int target) =>
        Path.Combine(_folder, _pattern.Replace("{id}", id, StringComparison.Ordinal)
            .Replace("{target}", target.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));

    /// <summary>
    /// Checks before a run that every image has its file (when the pattern does not depend on the target):
    /// a miss names the first id, the path expected and how many others are missing.
    /// </summary>
    public void CheckAvailable(IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (_pattern.Contains("{target}", StringComparison.Ordinal)) return;
        ThrowIfMissing(ids.Select(id => (id, PathFor(id, 0))).Where(x => !File.Exists(x.Item2)).ToList(), "of the dataset");
    }

    public SaliencyResult Explain(ExplainContext context, Tensor images, IReadOnlyList<int> targets)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(targets);
        if (images.Rank != 4) throw new ShapeException($"Method '{Name}' needs N×C×H×W images, not {images.ShapeString}.");
        int n = images.N, h = images.H, w = images.W;
        var ids = context.ImageIds
            ?? throw new EvalHarnessException($"Method '{Name}' finds maps by image id, but the caller gave no image ids (ExplainContext.ImageIds).");
        if (ids.Count != n || targets.Count != n)
            throw new EvalHarnessException($"Method '{Name}': the batch has {n} images but {ids.Count} image ids and {targets.Count} targets.");
        var paths = new string[n];
        for (int i = 0; i < n; i++) paths[i] = PathFor(ids[i], targets[i]);
        ThrowIfMissing(Enumerable.Range(0, n).Where(i => !File.Exists(paths[i])).Select(i => (ids[i], paths[i])).ToList(), "of this batch");

        var maps = Tensor.Uninitialized(n, h, w);
        for (int i = 0; i < n; i++) ReadMap(paths[i], h, w).CopyTo(maps.Data.AsSpan(i * h * w, h * w));
        return new SaliencyResult { Maps = maps };
    }

    private float[] ReadMap(string path, int h, int w)
    {
        var array = Npy.Read(path);
        if (array.DType is not ("<f4" or "<f8"))
            throw new FileFormatException(path, $"holds {array.DType} values; a precomputed map must be float32 ('<f4') or float64 ('<f8').");
        var shape = array.Shape;
        bool plain = shape.Length == 2, single = shape.Length == 3 && shape[0] == 1;
        if (!plain && !single)
            throw new FileFormatException(path, $"has shape {ShapeUtil.Format(shape)}; a precomputed map must be H×W or 1×H×W (expected {h}×{w}).");
        int mh = shape[^2], mw = shape[^1];
        var values = array.ToTensor().Data;
        if (mh == h && mw == w) return values;
        if (!_resize)
            throw new ShapeException($"{path}: the map has shape {ShapeUtil.Format(shape)} but the input is {h}×{w}; " +
                "write maps at the input resolution, or set the method parameter 'resize: bilinear' to interpolate them.");
        return Resize.Interpolate(new Tensor(values, 1, 1, mh, mw), h, w, antialias: false, alignCorners: false).Data;
    }

    private static void ThrowIfMissing(IReadOnlyList<(string Id, string Path)> missing, string scope)
    {
        if (missing.Count == 0) return;
        var (id, path) = missing[0];
        int others = missing.Count - 1;
        throw new EvalHarnessException($"Method '{Name}': no map for the image '{id}': expected the file '{path}'" +
            (others > 0 ? $"; {others} other image{(others > 1 ? "s" : "")} {scope} {(others > 1 ? "have" : "has")} no map either" : "") + ".");
    }

    private static (string, string, bool) Read(IReadOnlyDictionary<string, string>? parameters)
    {
        var p = new MethodParameters(Name, parameters);
        if (!p.Has("folder"))
            throw new EvalHarnessException($"Method '{Name}' needs the parameter 'folder': the folder that holds the .npy maps (one per image id).");
        var folder = p.String("folder", "");
        var pattern = p.String("pattern", DefaultPattern);
        bool resize = p.Choice("resize", "none", "none", "bilinear") == "bilinear";
        p.EnsureAllUsed();
        return (folder, pattern, resize);
    }

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex Placeholder();
}
