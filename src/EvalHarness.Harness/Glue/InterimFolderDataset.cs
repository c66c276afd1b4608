using System.Globalization;
using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Io;
using EvalHarness.Harness.Datasets;

namespace EvalHarness.Harness.Glue;

/// <summary>
/// INTERIM minimal 'folder' dataset, used only while the catalog has no 'folder' kind: fields
/// <c>root</c> (the image folder), <c>manifest</c> (CSV with a header, columns <c>file,label</c> and an
/// optional <c>boxes</c> column of "x0 y0 x1 y1" boxes of the label's class separated by ';', in
/// half-open source pixels; default root/manifest.csv) and <c>classes</c> (default: largest label + 1).
/// </summary>
internal sealed class InterimFolderDataset : IDataset
{
    public const string KindName = "folder";
    private static readonly string[] ValidFields = ["root", "manifest", "classes"];

    public InterimFolderDataset(DatasetSpec spec)
    {
        foreach (var key in spec.Fields.Keys)
            if (!ValidFields.Contains(key))
                throw new EvalHarnessException($"{spec.Where(key)}: unknown field '{key}'." +
                    (NameMatcher.Nearest(key, ValidFields) is { Count: > 0 } n ? $" Did you mean: {string.Join(", ", n)}?" : "") +
                    $" Valid fields of a folder dataset: kind, {string.Join(", ", ValidFields)}.");
        if (!spec.Fields.TryGetValue("root", out var rootText))
            throw new EvalHarnessException("dataset.root: missing; a folder dataset needs root: <image folder>.");
        string root = spec.ResolvePath(rootText);
        if (!Directory.Exists(root))
            throw new EvalHarnessException($"{spec.Where("root")}: the image folder {root} does not exist.");
        string manifest = spec.Fields.TryGetValue("manifest", out var m) ? spec.ResolvePath(m) : Path.Combine(root, "manifest.csv");
        if (!File.Exists(manifest))
            throw new EvalHarnessException($"{spec.Where("manifest")}: the manifest {manifest} does not exist; it lists file,label[,boxes] per image.");
        var lines = File.ReadAllLines(manifest);
        if (lines.Length == 0) throw new FileFormatException(manifest, "the manifest is empty; its header is file,label[,boxes].");
        var header = lines[0].Split(',').Select(h => h.Trim()).ToList();
        int fileCol = header.IndexOf("file"), labelCol = header.IndexOf("label"), boxCol = header.IndexOf("boxes");
        if (fileCol < 0 || labelCol < 0) throw new FileFormatException(manifest, $"the header '{lines[0]}' needs columns file and label.");
        var items = new List<DatasetItem>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            var cells = lines[i].Split(',');
            string file = cells[fileCol].Trim();
            string path = Path.GetFullPath(Path.Combine(root, file));
            if (!File.Exists(path)) throw new FileFormatException(manifest, $"line {i + 1}: the image {path} does not exist.");
            if (!int.TryParse(cells[labelCol], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int label))
                throw new FileFormatException(manifest, $"line {i + 1}: label '{cells[labelCol]}' is not an integer.");
            var boxes = new List<SourceBox>();
            if (boxCol >= 0 && boxCol < cells.Length)
            {
                foreach (var b in cells[boxCol].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var v = b.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                        .Select(x => double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : double.NaN).ToArray();
                    if (v.Length != 4 || v.Any(double.IsNaN))
                        throw new FileFormatException(manifest, $"line {i + 1}: box '{b}' is not 'x0 y0 x1 y1'.");
                    boxes.Add(new SourceBox(label, v[0], v[1], v[2], v[3]));
                }
            }
            items.Add(new DatasetItem(Path.GetFileNameWithoutExtension(file), label, boxes, path));
        }
        Items = items.OrderBy(x => x.Id, StringComparer.Ordinal).ToList();
        Classes = spec.Fields.TryGetValue("classes", out var c) ? int.Parse(c, CultureInfo.InvariantCulture) : items.Count == 0 ? 0 : items.Max(x => x.Label) + 1;
        Source = manifest;
    }

    public string Kind => KindName;

    public string Source { get; }

    public int Classes { get; }

    public IReadOnlyList<DatasetItem> Items { get; }

    public Image Load(DatasetItem item) => ImageFile.Read(item.Path ?? throw new EvalHarnessException($"Image {item.Id} has no file."));
}
