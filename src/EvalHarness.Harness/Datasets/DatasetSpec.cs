namespace EvalHarness.Harness.Datasets;

/// <summary>
/// The <c>dataset:</c> section of a run config as the dataset kinds read it: the kind, its fields as
/// strings (after ${ENV} substitution), the folder that relative paths resolve against, and where each
/// field was written (file:line:column) so that errors can point at it.
/// </summary>
/// <param name="Kind">e.g. "imagenet-loc", "ilsvrc-xml", "folder", "synthetic".</param>
/// <param name="Fields">Every field of the section except <c>kind</c>.</param>
/// <param name="BaseDirectory">Relative paths resolve against this folder (the config file's).</param>
/// <param name="Locations">field → "file:line:column" of its value, when known.</param>
public sealed record DatasetSpec(
    string Kind, IReadOnlyDictionary<string, string> Fields, string BaseDirectory, IReadOnlyDictionary<string, string>? Locations = null)
{
    /// <summary>"file:line:column: " of <paramref name="field"/>, or "dataset.<field>: " when its place is not known.</summary>
    public string Where(string field) =>
        Locations != null && Locations.TryGetValue(field, out var at) ? $"{at}: dataset.{field}" : $"dataset.{field}";

    /// <summary>A path field resolved against <see cref="BaseDirectory"/>.</summary>
    public string ResolvePath(string value) => Path.GetFullPath(Path.IsPathRooted(value) ? value : Path.Combine(BaseDirectory, value));
}
