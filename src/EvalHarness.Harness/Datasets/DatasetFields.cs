using EvalHarness.Engine;

namespace EvalHarness.Harness.Datasets;

/// <summary>
/// Checked access to a dataset section's fields for one kind: unknown fields are refused with the
/// nearest valid ones, and every path is resolved and checked with the field (and its config place)
/// named in the error.
/// </summary>
internal sealed class DatasetFields
{
    private readonly DatasetSpec _spec;
    private readonly string[] _valid;

    public DatasetFields(DatasetSpec spec, params string[] valid)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _spec = spec;
        _valid = valid;
        foreach (var field in spec.Fields.Keys)
        {
            if (valid.Contains(field, StringComparer.OrdinalIgnoreCase)) continue;
            var near = NameMatcher.Nearest(field, valid);
            var rest = near.Concat(valid.Where(v => !near.Contains(v)));
            throw new EvalHarnessException($"{spec.Where(field)}: the dataset kind '{spec.Kind}' has no field '{field}'." +
                (near.Count > 0 ? $" Did you mean: {string.Join(", ", near)}?" : "") +
                $" Its fields: {string.Join(", ", rest)}.");
        }
    }

    public DatasetSpec Spec => _spec;

    /// <summary>The value of <paramref name="field"/> (case-insensitive name), or null when not given.</summary>
    public string? Value(string field)
    {
        foreach (var (key, value) in _spec.Fields)
            if (key.Equals(field, StringComparison.OrdinalIgnoreCase)) return value;
        return null;
    }

    /// <summary>The field's name as the config spelled it (for <see cref="DatasetSpec.Where"/>).</summary>
    private string Spelled(string field) =>
        _spec.Fields.Keys.FirstOrDefault(k => k.Equals(field, StringComparison.OrdinalIgnoreCase)) ?? field;

    public string Where(string field) => _spec.Where(Spelled(field));

    /// <summary>
    /// A folder given by <paramref name="field"/>, else the first existing of <paramref name="underRoot"/>
    /// below the <c>root</c> field. Null when neither is given and <paramref name="required"/> is false.
    /// </summary>
    public string? Folder(string field, bool required, params string[] underRoot) =>
        Resolve(field, required, isFolder: true, underRoot);

    /// <summary>A file, found the same way as <see cref="Folder"/>.</summary>
    public string? File(string field, bool required, params string[] underRoot) =>
        Resolve(field, required, isFolder: false, underRoot);

    private string? Resolve(string field, bool required, bool isFolder, string[] underRoot)
    {
        string what = isFolder ? "folder" : "file";
        var given = Value(field);
        if (given != null)
        {
            if (string.IsNullOrWhiteSpace(given))
                throw new EvalHarnessException($"{Where(field)}: the {what} path is empty; give the {what} of the dataset's {field}.");
            var path = _spec.ResolvePath(given.Trim());
            if (isFolder ? Directory.Exists(path) : System.IO.File.Exists(path)) return path;
            string detail = isFolder && System.IO.File.Exists(path) ? " (it is a file, not a folder)"
                : !isFolder && Directory.Exists(path) ? " (it is a folder, not a file)" : "";
            throw new EvalHarnessException($"{Where(field)}: the {what} '{path}' does not exist{detail}.");
        }
        var root = Value("root");
        if (root != null && underRoot.Length > 0)
        {
            var rootPath = _spec.ResolvePath(root.Trim());
            if (!Directory.Exists(rootPath))
                throw new EvalHarnessException($"{Where("root")}: the folder '{rootPath}' does not exist.");
            foreach (var candidate in underRoot)
            {
                var path = Path.GetFullPath(Path.Combine(rootPath, candidate));
                if (isFolder ? Directory.Exists(path) : System.IO.File.Exists(path)) return path;
            }
            if (!required) return null;
            throw new EvalHarnessException($"{Where("root")}: the dataset's {field} {what} was not given and none of " +
                $"{string.Join(", ", underRoot.Select(c => $"'{Path.Combine(rootPath, c)}'"))} exists; give the field '{field}' or lay out the folder so.");
        }
        if (!required) return null;
        throw new EvalHarnessException($"{_spec.Where(field)}: the dataset kind '{_spec.Kind}' needs the field '{field}' (a {what})" +
            (underRoot.Length > 0 ? $" or a 'root' folder holding {string.Join(" or ", underRoot)}." : "."));
    }
}
