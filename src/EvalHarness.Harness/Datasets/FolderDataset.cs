using System.Globalization;
using EvalHarness.Engine;

namespace EvalHarness.Harness.Datasets;

/// <summary>
/// Kind <c>folder</c>: an image folder with a manifest CSV. Fields: <c>images</c> (folder; default
/// root/images), <c>manifest</c> (default root/manifest.csv), <c>classes</c> (number of classes, default 1000).
/// Manifest rows are <c>file,label[,boxes]</c> with an optional header row <c>file,label,boxes</c>:
/// file relative to the images folder; label a class index, or empty / −1 for none; boxes
/// <c>"x0 y0 x1 y1;x0 y0 x1 y1"</c> in continuous source pixels, half-open (pixel i covers [i, i + 1), so a box
/// of the whole W×H image is "0 0 W H"), each optionally preceded by its class <c>"c:x0 y0 x1 y1"</c>
/// (default: the image's label). Ids are file stems; two files with one stem are an error.
/// </summary>
public static class FolderDataset
{
    public const string Kind = "folder";

    private static readonly string[] Fields = ["root", "images", "manifest", "classes"];

    public static IDataset Create(DatasetSpec spec)
    {
        var fields = new DatasetFields(spec, Fields);
        int classes = 1000;
        if (fields.Value("classes") is string c &&
            (!int.TryParse(c.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out classes) || classes < 1))
            throw new EvalHarnessException($"{fields.Where("classes")}: '{c}' is not a valid number of classes; give a positive integer (e.g. 1000).");
        var images = fields.Folder("images", true, "images")!;
        var manifest = fields.File("manifest", true, "manifest.csv")!;

        var lines = CsvLine.ReadLines(manifest);
        var items = new List<DatasetItem>(lines.Length);
        var missing = new List<string>();
        var seen = new Dictionary<string, (string File, int Line)>(StringComparer.Ordinal);
        int listed = 0;
        for (int n = 0; n < lines.Length; n++)
        {
            int lineNumber = n + 1;
            var line = n == 0 ? lines[0].TrimStart('\uFEFF') : lines[n];
            if (string.IsNullOrWhiteSpace(line)) continue;
            var cells = CsvLine.Split(line, manifest, lineNumber);
            if (n == 0 && cells[0].Trim().Equals("file", StringComparison.OrdinalIgnoreCase))
            {
                string[] header = ["file", "label", "boxes"];
                if (cells.Count is < 2 or > 3 || !cells.Select(x => x.Trim()).SequenceEqual(header.Take(cells.Count), StringComparer.OrdinalIgnoreCase))
                    throw new FileFormatException(manifest, $"line 1: the header must be 'file,label' or 'file,label,boxes', not '{ImageNetLocDataset.Clip(line)}'.");
                continue;
            }
            if (cells.Count is < 2 or > 3)
                throw new FileFormatException(manifest, $"line {lineNumber}: expected 2 or 3 fields (file,label[,boxes]), found {cells.Count}: '{ImageNetLocDataset.Clip(line)}'." +
                    (cells.Count > 3 ? " Quote a file name that contains commas." : ""));
            var file = cells[0].Trim();
            if (file.Length == 0) throw new FileFormatException(manifest, $"line {lineNumber}: the file is empty.");
            int label = Label(cells[1], classes, manifest, lineNumber);
            var boxes = cells.Count == 3 ? Boxes(cells[2], label, classes, manifest, lineNumber) : [];
            var id = Path.GetFileNameWithoutExtension(file);
            if (seen.TryGetValue(id, out var first))
                throw new FileFormatException(manifest, $"line {lineNumber}: the file '{file}' has the id '{id}' of '{first.File}' (line {first.Line}); " +
                    "ids are file names without extension and must be unique: rename one or list it once.");
            seen.Add(id, (file, lineNumber));
            listed++;
            var path = Path.GetFullPath(Path.Combine(images, file));
            if (File.Exists(path)) items.Add(new DatasetItem(id, label, boxes, path));
            else missing.Add(file);
        }
        if (listed == 0) throw new FileFormatException(manifest, "lists no images; expected rows 'file,label[,boxes]'.");
        ImageIndex.ThrowIfMissing(missing, listed, manifest, images);
        return new FileDataset(Kind, $"{Kind}: images {images}, manifest {manifest}", classes, items);
    }

    private static int Label(string text, int classes, string path, int line)
    {
        text = text.Trim();
        if (text.Length == 0) return -1;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int label) || label < -1 || label >= classes)
            throw new FileFormatException(path, $"line {line}: the label '{text}' is not a class index in 0..{classes - 1} (or empty / −1 for none).");
        return label;
    }

    private static SourceBox[] Boxes(string text, int label, int classes, string path, int line)
    {
        var parts = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var boxes = new SourceBox[parts.Length];
        for (int b = 0; b < parts.Length; b++)
        {
            var part = parts[b];
            int cls = label;
            int colon = part.IndexOf(':');
            if (colon >= 0)
            {
                var c = part[..colon].Trim();
                if (!int.TryParse(c, NumberStyles.Integer, CultureInfo.InvariantCulture, out cls) || cls < 0 || cls >= classes)
                    throw new FileFormatException(path, $"line {line}: box {b + 1} has the class '{c}', not a class index in 0..{classes - 1}.");
                part = part[(colon + 1)..];
            }
            else if (label < 0)
                throw new FileFormatException(path, $"line {line}: box {b + 1} has no class and the image has no label; write it as 'class:x0 y0 x1 y1'.");
            var v = part.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (v.Length != 4)
                throw new FileFormatException(path, $"line {line}: box {b + 1} '{parts[b]}' needs 4 numbers 'x0 y0 x1 y1' (boxes are separated by ';').");
            double x0 = ImageNetLocDataset.Number(v[0], path, line, $"box {b + 1} x0"), y0 = ImageNetLocDataset.Number(v[1], path, line, $"box {b + 1} y0");
            double x1 = ImageNetLocDataset.Number(v[2], path, line, $"box {b + 1} x1"), y1 = ImageNetLocDataset.Number(v[3], path, line, $"box {b + 1} y1");
            if (!(x1 > x0 && y1 > y0))
                throw new FileFormatException(path, $"line {line}: box {b + 1} '{parts[b]}' is empty; boxes are half-open, x0 < x1 and y0 < y1 (a 1-pixel box at column 3 is x0 = 3, x1 = 4).");
            boxes[b] = new SourceBox(cls, x0, y0, x1, y1);
        }
        return boxes;
    }
}
