using System.Globalization;
using EvalHarness.Engine;

namespace EvalHarness.Harness.Datasets;

/// <summary>
/// Kind <c>imagenet-loc</c>: the Kaggle ImageNet localisation layout. Fields: <c>images</c> (folder,
/// searched recursively for ID.JPEG etc.), <c>solution</c> (LOC_val_solution.csv: ImageId,PredictionString
/// with "synset x0 y0 x1 y1" repeated), <c>synsets</c> (LOC_synset_mapping.txt: line i gives class i), or
/// <c>root</c> holding images/ or ILSVRC/Data/CLS-LOC/val/, LOC_val_solution.csv and LOC_synset_mapping.txt.
/// Items are the CSV's rows; boxes are ILSVRC 0-based inclusive (<see cref="IlsvrcBox"/>). The label
/// is the class of the first box's synset: in ImageNet val every box of an image has the image's class;
/// should a row mix synsets, the first one listed is the label and every box keeps its own class.
/// </summary>
public static class ImageNetLocDataset
{
    public const string Kind = "imagenet-loc";

    private static readonly string[] Fields = ["root", "images", "solution", "synsets"];

    public static IDataset Create(DatasetSpec spec)
    {
        var fields = new DatasetFields(spec, Fields);
        var images = fields.Folder("images", true, "images", Path.Combine("ILSVRC", "Data", "CLS-LOC", "val"))!;
        var solution = fields.File("solution", true, "LOC_val_solution.csv")!;
        var synsetsPath = fields.File("synsets", true, "LOC_synset_mapping.txt")!;
        var synsets = SynsetMapping.Read(synsetsPath);
        var rows = ReadSolution(solution, synsets);
        var files = ImageIndex.ByStem(images, fields.Where("images"));
        var missing = new List<string>();
        var items = new List<DatasetItem>(rows.Count);
        foreach (var (id, label, boxes) in rows)
        {
            if (files.TryGetValue(id, out var path)) items.Add(new DatasetItem(id, label, boxes, path));
            else missing.Add(id);
        }
        ImageIndex.ThrowIfMissing(missing, rows.Count, solution, images);
        return new FileDataset(Kind, $"{Kind}: images {images}, solution {solution}, synsets {synsetsPath}", synsets.Count, items);
    }

    internal static List<(string Id, int Label, IReadOnlyList<SourceBox> Boxes)> ReadSolution(string path, SynsetMapping synsets)
    {
        var lines = CsvLine.ReadLines(path);
        if (lines.Length == 0 || !IsHeader(lines[0]))
            throw new FileFormatException(path, $"line 1 must be the header 'ImageId,PredictionString', not '{(lines.Length == 0 ? "" : Clip(lines[0]))}'.");
        var rows = new List<(string, int, IReadOnlyList<SourceBox>)>(lines.Length - 1);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int n = 1; n < lines.Length; n++)
        {
            int lineNumber = n + 1;
            var line = lines[n];
            if (string.IsNullOrWhiteSpace(line)) continue;
            var cells = CsvLine.Split(line, path, lineNumber);
            if (cells.Count != 2)
                throw new FileFormatException(path, $"line {lineNumber}: expected 2 fields (ImageId,PredictionString), found {cells.Count}: '{Clip(line)}'.");
            var id = cells[0].Trim();
            if (id.Length == 0) throw new FileFormatException(path, $"line {lineNumber}: the ImageId is empty.");
            if (!seen.TryAdd(id, lineNumber))
                throw new FileFormatException(path, $"line {lineNumber}: the image '{id}' was already listed on line {seen[id]}.");
            var tokens = cells[1].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0)
                throw new FileFormatException(path, $"line {lineNumber}: the image '{id}' has no boxes, so no label; every row needs 'synset x0 y0 x1 y1'.");
            if (tokens.Length % 5 != 0)
                throw new FileFormatException(path, $"line {lineNumber}: the PredictionString has {tokens.Length} values; it must repeat 'synset x0 y0 x1 y1' (a multiple of 5).");
            var boxes = new SourceBox[tokens.Length / 5];
            for (int b = 0; b < boxes.Length; b++)
            {
                var synset = tokens[5 * b];
                if (!synsets.TryGet(synset, out int cls))
                    throw new FileFormatException(path, $"line {lineNumber}: box {b + 1} has the synset '{synset}', which is not in {synsets.Path}.");
                double x0 = Number(tokens[5 * b + 1], path, lineNumber, "x0"), y0 = Number(tokens[5 * b + 2], path, lineNumber, "y0");
                double x1 = Number(tokens[5 * b + 3], path, lineNumber, "x1"), y1 = Number(tokens[5 * b + 4], path, lineNumber, "y1");
                if (x1 < x0 || y1 < y0)
                    throw new FileFormatException(path, $"line {lineNumber}: box {b + 1} ({x0} {y0} {x1} {y1}) ends before it starts; need x0 ≤ x1 and y0 ≤ y1.");
                boxes[b] = IlsvrcBox.FromInclusive(cls, x0, y0, x1, y1);
            }
            rows.Add((id, boxes[0].Class, boxes));
        }
        return rows;
    }

    private static bool IsHeader(string line)
    {
        var cells = line.TrimStart('\uFEFF').Split(',');
        return cells.Length == 2 && cells[0].Trim().Equals("ImageId", StringComparison.OrdinalIgnoreCase)
            && cells[1].Trim().Equals("PredictionString", StringComparison.OrdinalIgnoreCase);
    }

    internal static double Number(string text, string path, int line, string what)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)) return v;
        throw new FileFormatException(path, $"line {line}: {what} is '{text}', not a number.");
    }

    internal static string Clip(string s) => s.Length <= 80 ? s : s[..77] + "...";
}
