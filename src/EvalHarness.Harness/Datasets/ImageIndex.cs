using EvalHarness.Engine;

namespace EvalHarness.Harness.Datasets;

/// <summary>
/// The image files of a folder (and its subfolders, so that both the flat ILSVRC val folder and the
/// class-per-folder layout work) by file stem, and the check that every listed image exists.
/// </summary>
internal static class ImageIndex
{
    /// <summary>Extensions taken as images (case-insensitive); the decoder itself sniffs the content.</summary>
    public static readonly string[] Extensions = [".jpeg", ".jpg", ".png", ".bmp", ".ppm", ".pgm"];

    public static bool IsImage(string path) => Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>stem → full path of every image below <paramref name="folder"/>; two files with one stem are an error naming both.</summary>
    public static Dictionary<string, string> ByStem(string folder, string where)
    {
        var index = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(IsImage).ToList();
        files.Sort(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var stem = Path.GetFileNameWithoutExtension(file);
            if (!index.TryAdd(stem, file))
                throw new EvalHarnessException($"{where}: two images in '{folder}' have the id '{stem}': '{index[stem]}' and '{file}'. " +
                    "Image ids are file names without extension and must be unique; remove or rename one.");
        }
        return index;
    }

    /// <summary>
    /// Throws when some listed images are not on disk: the count and the first five, and what to do.
    /// A dataset never silently skips an image it lists, since that would change which images a run scores.
    /// </summary>
    public static void ThrowIfMissing(IReadOnlyList<string> missing, int listed, string listedIn, string folder)
    {
        if (missing.Count == 0) return;
        var shown = missing.Take(5).Select(m => $"'{m}'");
        throw new EvalHarnessException(
            $"{missing.Count} of the {listed} images listed in '{listedIn}' are not in '{folder}': {string.Join(", ", shown)}" +
            (missing.Count > 5 ? $" and {missing.Count - 5} more" : "") +
            ". Add the missing files, or remove their entries from the list (or point the dataset at the folder that holds them).");
    }
}
