using EvalHarness.Engine;

namespace EvalHarness.Harness.Datasets;

/// <summary>
/// WordNet ids ("n01440764") → class index, read from LOC_synset_mapping.txt (line i = "synset words…"
/// gives class i) or any file with one synset first on each line. The Kaggle file lists the 1000
/// synsets sorted, which is also torchvision's class order (ImageFolder sorts the synset folders).
/// </summary>
internal sealed class SynsetMapping
{
    private readonly Dictionary<string, int> _index;

    private SynsetMapping(List<string> synsets, Dictionary<string, int> index, string path)
    {
        Synsets = synsets;
        _index = index;
        Path = path;
    }

    public IReadOnlyList<string> Synsets { get; }

    public string Path { get; }

    public int Count => Synsets.Count;

    public bool TryGet(string synset, out int index) => _index.TryGetValue(synset, out index);

    public static SynsetMapping Read(string path)
    {
        var lines = CsvLine.ReadLines(path);
        int count = lines.Length;
        while (count > 0 && string.IsNullOrWhiteSpace(lines[count - 1])) count--;
        var synsets = new List<string>(count);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
                throw new FileFormatException(path, $"line {i + 1} is empty; every line up to the last must name a synset (line i gives class i − 1).");
            int space = line.IndexOfAny([' ', '\t']);
            var synset = space < 0 ? line : line[..space];
            if (!index.TryAdd(synset, i))
                throw new FileFormatException(path, $"line {i + 1}: the synset '{synset}' was already given on line {index[synset] + 1}.");
            synsets.Add(synset);
        }
        if (synsets.Count == 0) throw new FileFormatException(path, "lists no synsets; expected lines like 'n01440764 tench, Tinca tinca'.");
        return new SynsetMapping(synsets, index, path);
    }
}
