using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using EvalHarness.Engine;

namespace EvalHarness.Reports.Results;

/// <summary>
/// Reads and writes a results folder: run.json, per_image.csv, summary.csv, curves.csv, shap.csv and
/// gallery/index.json (see docs/results-format.md). CSV is RFC 4180 in the invariant culture with
/// round-trip doubles ("NaN" for values that are not defined); every file is written to a temporary
/// name and renamed, so a crash never leaves a half-written table.
/// </summary>
public static class ResultsFolder
{
    public const string RunJson = "run.json";
    public const string PerImageCsv = "per_image.csv";
    public const string SummaryCsv = "summary.csv";
    public const string CurvesCsv = "curves.csv";
    public const string ShapCsv = "shap.csv";
    public const string GalleryIndex = "gallery/index.json";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(string directory, RunResults results)
    {
        Directory.CreateDirectory(directory);
        WriteInfo(directory, results.Info);
        ResultTables.PerImage.Write(Path.Combine(directory, PerImageCsv), results.PerImage);
        ResultTables.Summary.Write(Path.Combine(directory, SummaryCsv), results.Summary);
        ResultTables.Curves.Write(Path.Combine(directory, CurvesCsv), results.Curves);
        if (results.Shap.Count > 0)
            WriteShap(directory, results.Shap);
        if (results.Gallery.Count > 0)
            WriteAtomically(Path.Combine(directory, GalleryIndex), JsonSerializer.Serialize(results.Gallery, Json));
    }

    /// <summary>Writes shap.csv (per image and method, each channel's contribution and reference Shapley value).</summary>
    public static void WriteShap(string directory, IEnumerable<ShapRow> rows) =>
        ResultTables.Shap.Write(Path.Combine(directory, ShapCsv), rows);

    public static void WriteInfo(string directory, RunInfo info) =>
        WriteAtomically(Path.Combine(directory, RunJson), JsonSerializer.Serialize(info, Json));

    /// <summary>Reads a results folder; names the file and the problem when something is missing or malformed.</summary>
    public static RunResults Read(string directory)
    {
        if (!Directory.Exists(directory))
            throw new EvalHarnessException($"The results folder '{directory}' does not exist.");
        var info = ReadJson<RunInfo>(Path.Combine(directory, RunJson));
        if (info.Format != RunInfo.CurrentFormat)
            throw new FileFormatException(Path.Combine(directory, RunJson), $"format '{info.Format}' is not the one this version reads ('{RunInfo.CurrentFormat}')");
        string gallery = Path.Combine(directory, GalleryIndex);
        return new RunResults
        {
            Info = info,
            PerImage = ResultTables.PerImage.Read(Path.Combine(directory, PerImageCsv)),
            Summary = ResultTables.Summary.Read(Path.Combine(directory, SummaryCsv)),
            Curves = File.Exists(Path.Combine(directory, CurvesCsv)) ? ResultTables.Curves.Read(Path.Combine(directory, CurvesCsv)) : [],
            Shap = File.Exists(Path.Combine(directory, ShapCsv)) ? ResultTables.Shap.Read(Path.Combine(directory, ShapCsv)) : [],
            Gallery = File.Exists(gallery) ? ReadJson<List<GalleryItem>>(gallery) : [],
        };
    }

    public static T ReadJson<T>(string path)
    {
        if (!File.Exists(path)) throw new FileFormatException(path, "the file is missing");
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json)
                ?? throw new FileFormatException(path, "the file holds JSON null");
        }
        catch (JsonException e)
        {
            throw new FileFormatException(path, $"not valid {typeof(T).Name} JSON ({e.Message})");
        }
    }

    /// <summary>Writes <paramref name="text"/> to a temporary file beside <paramref name="path"/>, flushes it to disk and renames it over <paramref name="path"/>.</summary>
    public static void WriteAtomically(string path, string text)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        string tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var bytes = new UTF8Encoding(false).GetBytes(text);
            fs.Write(bytes);
            fs.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }

}
