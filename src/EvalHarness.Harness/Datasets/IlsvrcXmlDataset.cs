using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using EvalHarness.Engine;

namespace EvalHarness.Harness.Datasets;

/// <summary>
/// Kind <c>ilsvrc-xml</c>: ILSVRC2012 bounding-box XML files (one per image, PASCAL-style
/// &lt;object&gt;&lt;name&gt;synset&lt;/name&gt;&lt;bndbox&gt;xmin ymin xmax ymax&lt;/bndbox&gt;&lt;/object&gt;,
/// ILSVRC 0-based inclusive coordinates, see <see cref="IlsvrcBox"/>). Fields:
/// <list type="bullet">
/// <item><c>images</c>: image folder (recursive; default root/images or root/ILSVRC/Data/CLS-LOC/val).</item>
/// <item><c>annotations</c>: XML folder (recursive; default root/annotations or root/ILSVRC/Annotations/CLS-LOC/val); one item per XML file, id = its stem.</item>
/// <item><c>synsets</c>: synset → class index (LOC_synset_mapping.txt or one synset per line; default root/LOC_synset_mapping.txt).
///   torchvision's class i is the i-th synset in sorted order, which is the order of LOC_synset_mapping.txt.</item>
/// <item><c>labels</c> (optional): one label per line, line i for the image whose id ends in the number i
///   (ILSVRC2012_val_00000001 → line 1). Either synsets (e.g. imagenet_2012_validation_synset_labels.txt) or the
///   devkit's ILSVRC2012_validation_ground_truth.txt, whose numbers are 1-based ILSVRC2012_IDs in the devkit's own
///   class order (not torchvision's): those need <c>id_synsets</c>, a file whose line k is the synset of
///   ILSVRC2012_ID k (the devkit's meta.mat lists it: synsets[k−1].WNID for ILSVRC2012_ID ≤ 1000). Without
///   <c>labels</c>, an image's label is the class of its first object's synset (all objects of an ImageNet val
///   image have the image's class; should they differ, the first one listed wins and each box keeps its class).</item>
/// </list>
/// </summary>
public static class IlsvrcXmlDataset
{
    public const string Kind = "ilsvrc-xml";

    private static readonly string[] Fields = ["root", "images", "annotations", "synsets", "labels", "id_synsets"];

    public static IDataset Create(DatasetSpec spec)
    {
        var fields = new DatasetFields(spec, Fields);
        var images = fields.Folder("images", true, "images", Path.Combine("ILSVRC", "Data", "CLS-LOC", "val"))!;
        var annotations = fields.Folder("annotations", true, "annotations", Path.Combine("ILSVRC", "Annotations", "CLS-LOC", "val"))!;
        var synsetsPath = fields.File("synsets", true, "LOC_synset_mapping.txt")!;
        var labelsPath = fields.File("labels", false);
        var idSynsetsPath = fields.File("id_synsets", false);
        if (idSynsetsPath != null && labelsPath == null)
            throw new EvalHarnessException($"{fields.Where("id_synsets")}: id_synsets maps the numbers of a 'labels' file to synsets, but no 'labels' file was given.");
        var synsets = SynsetMapping.Read(synsetsPath);
        var labels = labelsPath == null ? null : ReadLabels(labelsPath, idSynsetsPath, synsets, fields.Where("labels"));

        var xmls = Directory.EnumerateFiles(annotations, "*.xml", SearchOption.AllDirectories).ToList();
        xmls.Sort(StringComparer.Ordinal);
        if (xmls.Count == 0)
            throw new EvalHarnessException($"{fields.Where("annotations")}: the folder '{annotations}' holds no .xml files.");
        var files = ImageIndex.ByStem(images, fields.Where("images"));
        var items = new List<DatasetItem>(xmls.Count);
        var missing = new List<string>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var xml in xmls)
        {
            var id = Path.GetFileNameWithoutExtension(xml);
            if (!seen.TryAdd(id, xml))
                throw new EvalHarnessException($"{fields.Where("annotations")}: two annotation files have the id '{id}': '{seen[id]}' and '{xml}'.");
            var boxes = ReadXml(xml, synsets);
            int label;
            if (labels != null)
            {
                int number = ImageNumber(id);
                if (number < 1 || number > labels.Count)
                    throw new EvalHarnessException($"{fields.Where("labels")}: the image '{id}' needs line {(number < 1 ? "?" : number.ToString(CultureInfo.InvariantCulture))} of '{labelsPath}', " +
                        $"which has {labels.Count} labels (line i labels the image whose id ends in the number i, e.g. ILSVRC2012_val_00000001 → line 1).");
                label = labels[number - 1];
            }
            else if (boxes.Count > 0) label = boxes[0].Class;
            else throw new FileFormatException(xml, "has no <object>, so the image has no label; give a 'labels' file or remove the image.");
            if (files.TryGetValue(id, out var path)) items.Add(new DatasetItem(id, label, boxes, path));
            else missing.Add(id);
        }
        ImageIndex.ThrowIfMissing(missing, xmls.Count, annotations, images);
        var source = $"{Kind}: images {images}, annotations {annotations}, synsets {synsetsPath}" +
            (labelsPath != null ? $", labels {labelsPath}" : "") + (idSynsetsPath != null ? $", id_synsets {idSynsetsPath}" : "");
        return new FileDataset(Kind, source, synsets.Count, items);
    }

    /// <summary>The boxes of one ILSVRC XML file, in document order.</summary>
    internal static List<SourceBox> ReadXml(string path, SynsetMapping synsets)
    {
        XDocument doc;
        try
        {
            using var reader = XmlReader.Create(path, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
            doc = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            throw new FileFormatException(path, $"line {e.LineNumber}: not well-formed XML: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileFormatException(path, $"cannot be read: {e.Message}", e);
        }
        var root = doc.Root!;
        if (root.Name.LocalName != "annotation")
            throw new FileFormatException(path, $"line {Line(root)}: the root element is <{root.Name.LocalName}>; an ILSVRC annotation file has <annotation>.");
        var boxes = new List<SourceBox>();
        foreach (var obj in root.Elements("object"))
        {
            var name = obj.Element("name")
                ?? throw new FileFormatException(path, $"line {Line(obj)}: the <object> has no <name> (its synset).");
            var synset = name.Value.Trim();
            if (!synsets.TryGet(synset, out int cls))
                throw new FileFormatException(path, $"line {Line(name)}: the synset '{synset}' is not in {synsets.Path}.");
            var box = obj.Element("bndbox")
                ?? throw new FileFormatException(path, $"line {Line(obj)}: the <object> has no <bndbox>.");
            double Coordinate(string tag)
            {
                var e = box.Element(tag) ?? throw new FileFormatException(path, $"line {Line(box)}: the <bndbox> has no <{tag}>.");
                if (double.TryParse(e.Value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)) return v;
                throw new FileFormatException(path, $"line {Line(e)}: <{tag}> is '{e.Value.Trim()}', not a number.");
            }
            double x0 = Coordinate("xmin"), y0 = Coordinate("ymin"), x1 = Coordinate("xmax"), y1 = Coordinate("ymax");
            if (x1 < x0 || y1 < y0)
                throw new FileFormatException(path, $"line {Line(box)}: the box ({x0}, {y0}, {x1}, {y1}) ends before it starts; need xmin ≤ xmax and ymin ≤ ymax.");
            boxes.Add(IlsvrcBox.FromInclusive(cls, x0, y0, x1, y1));
        }
        return boxes;
    }

    /// <summary>Labels by line: synsets, or ILSVRC2012_IDs mapped through <paramref name="idSynsetsPath"/>.</summary>
    internal static List<int> ReadLabels(string path, string? idSynsetsPath, SynsetMapping synsets, string where)
    {
        var lines = CsvLine.ReadLines(path);
        int count = lines.Length;
        while (count > 0 && string.IsNullOrWhiteSpace(lines[count - 1])) count--;
        SynsetMapping? ids = idSynsetsPath == null ? null : SynsetMapping.Read(idSynsetsPath);
        var labels = new List<int>(count);
        for (int i = 0; i < count; i++)
        {
            var text = lines[i].Trim();
            if (text.Length == 0) throw new FileFormatException(path, $"line {i + 1} is empty; line i must hold the label of image i.");
            string synset;
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
            {
                if (ids == null)
                    throw new FileFormatException(path, $"line {i + 1}: the label is the number {id}, an ILSVRC2012_ID in the devkit's class order; " +
                        $"give the dataset field 'id_synsets' ({where} needs it): a file whose line k is the synset of ILSVRC2012_ID k, to map it to a class.");
                if (id < 1 || id > ids.Count)
                    throw new FileFormatException(path, $"line {i + 1}: the ILSVRC2012_ID {id} is outside 1..{ids.Count} (the lines of {ids.Path}).");
                synset = ids.Synsets[id - 1];
            }
            else synset = text.Split([' ', '\t'], 2)[0];
            if (!synsets.TryGet(synset, out int cls))
                throw ids != null && synset != text
                    ? new FileFormatException(ids.Path, $"line {id}: the synset '{synset}' (ILSVRC2012_ID {id}, used on line {i + 1} of {path}) is not in {synsets.Path}.")
                    : new FileFormatException(path, $"line {i + 1}: the synset '{synset}' is not in {synsets.Path}.");
            labels.Add(cls);
        }
        return labels;
    }

    /// <summary>The number an id ends in (ILSVRC2012_val_00000042 → 42), or −1.</summary>
    internal static int ImageNumber(string id)
    {
        int end = id.Length, start = end;
        while (start > 0 && char.IsAsciiDigit(id[start - 1])) start--;
        return start < end && int.TryParse(id.AsSpan(start, end - start), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : -1;
    }

    private static int Line(XElement e) => ((IXmlLineInfo)e).LineNumber;
}
