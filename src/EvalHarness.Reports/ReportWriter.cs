using EvalHarness.Engine.Io;
using EvalHarness.Reports.History;
using EvalHarness.Reports.Html;
using EvalHarness.Reports.Imaging;
using EvalHarness.Reports.Plots;
using EvalHarness.Reports.Results;
using EvalHarness.Reports.Tables;

namespace EvalHarness.Reports;

/// <summary>
/// Writes every report of a results folder from its files alone: summary.md, plots/*.svg, maps/*.png and
/// report.html. Stale plots and maps of an earlier build are removed, so the folder always matches the results.
/// </summary>
public static class ReportWriter
{
    public const string SummaryMd = "summary.md", ReportHtml = "report.html", PlotsDir = "plots", MapsDir = "maps";

    public static ReportOutput WriteAll(string resultsDir, ReportOptions? options = null)
    {
        options ??= new ReportOptions();
        var results = ResultsFolder.Read(resultsDir);
        var table = SummaryTableBuilder.Build(results);
        var files = new List<string>();

        ResultsFolder.WriteAtomically(Path.Combine(resultsDir, SummaryMd), SummaryMarkdown.Write(results, table));
        files.Add(SummaryMd);

        string? db = options.HistoryDb ?? HistoryStore.Locate(resultsDir);
        List<HistoryPoint>? history = null;
        if (db is not null && File.Exists(db))
        {
            using var store = new HistoryStore(db);
            history = store.Points(results.Info.Name);
        }
        else db = null;

        var plots = ReportPlots.Build(results, table, history);
        string plotsDir = Path.Combine(resultsDir, PlotsDir);
        foreach (var p in plots)
        {
            ResultsFolder.WriteAtomically(Path.Combine(plotsDir, p.FileName), p.Svg);
            files.Add($"{PlotsDir}/{p.FileName}");
        }
        RemoveStale(plotsDir, "*.svg", plots.Select(p => p.FileName));

        var gallery = new List<(string, byte[])>();
        string mapsDir = Path.Combine(resultsDir, MapsDir);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var methods = SummaryTableBuilder.MethodOrder(results);
        foreach (var item in results.Gallery.Take(options.MaxMaps))
        {
            string file = MapFileName(item.ImageId, names);
            byte[] png = Png.Encode(MapGrid.Render(resultsDir, item, methods, table.Columns, results.PerImage));
            WriteBytes(Path.Combine(mapsDir, file), png);
            files.Add($"{MapsDir}/{file}");
            gallery.Add((item.ImageId, png));
        }
        RemoveStale(mapsDir, "*.png", names);

        ResultsFolder.WriteAtomically(Path.Combine(resultsDir, ReportHtml), HtmlReport.Write(results, table, plots, gallery));
        files.Add(ReportHtml);
        return new ReportOutput(results.Info.Name, table, files, db);
    }

    /// <summary>maps/&lt;image_id&gt;.png with characters other than letters, digits, '.', '-' and '_' replaced by '_'; a clash gets a suffix.</summary>
    internal static string MapFileName(string imageId, HashSet<string> taken)
    {
        string stem = new(imageId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray());
        if (stem.Length == 0 || stem.Trim('.').Length == 0) stem = "_" + stem;
        string name = stem + ".png";
        for (int k = 2; !taken.Add(name); k++) name = $"{stem}_{k}.png";
        return name;
    }

    private static void RemoveStale(string dir, string pattern, IEnumerable<string> keep)
    {
        if (!Directory.Exists(dir)) return;
        var set = keep.ToHashSet(StringComparer.Ordinal);
        foreach (var f in Directory.GetFiles(dir, pattern))
            if (!set.Contains(Path.GetFileName(f))) File.Delete(f);
    }

    private static void WriteBytes(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string tmp = path + ".tmp";
        File.WriteAllBytes(tmp, bytes);
        File.Move(tmp, path, overwrite: true);
    }
}
