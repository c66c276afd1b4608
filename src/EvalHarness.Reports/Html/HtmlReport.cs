using System.Net;
using System.Text;
using EvalHarness.Reports.Plots;
using EvalHarness.Reports.Results;
using EvalHarness.Reports.Tables;

namespace EvalHarness.Reports.Html;

/// <summary>
/// report.html: one self-contained page (inline CSS and script, SVG inline, PNGs as data URIs, nothing fetched)
/// with the run's facts, the sortable tables, the plots and the gallery.
/// </summary>
public static class HtmlReport
{
    public static string Write(RunResults results, SummaryTable table, IReadOnlyList<PlotFile> plots, IReadOnlyList<(string ImageId, byte[] Png)> gallery)
    {
        var h = new StringBuilder();
        string name = E(results.Info.Name);
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        h.Append("<title>EvalHarness report: ").Append(name).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n");
        h.Append("<header><h1>").Append(name).Append("</h1><p class=\"sub\">EvalHarness report · ").Append(E(results.Info.Model.Name)).Append(" · ")
         .Append(E(results.Info.Dataset.Kind)).Append(" · ").Append(E(RunFacts.Stamp(results.Info.StartedUtc))).Append("</p>\n");
        var history = plots.Where(p => p.FileName.StartsWith("history_", StringComparison.Ordinal)).ToList();
        var other = plots.Except(history).ToList();
        h.Append("<nav><a href=\"#run\">Run</a> <a href=\"#results\">Results</a> <a href=\"#plots\">Plots</a>");
        if (history.Count > 0) h.Append(" <a href=\"#history\">History</a>");
        if (gallery.Count > 0) h.Append(" <a href=\"#gallery\">Gallery</a>");
        h.Append("</nav></header>\n<main>\n");

        h.Append("<section id=\"run\"><h2>Run</h2>\n<table class=\"facts\"><tbody>\n");
        foreach (var (label, value) in RunFacts.Of(results))
            h.Append("<tr><th scope=\"row\">").Append(E(label)).Append("</th><td>").Append(E(value)).Append("</td></tr>\n");
        h.Append("</tbody></table>\n");
        var timings = RunFacts.Timings(results);
        if (timings.Count > 0)
        {
            h.Append("<h3>Timings</h3>\n");
            Table(h, RunFacts.TimingHeader, timings.Select(r => r.Select((c, i) => (c, i >= 2 ? NumberKey(c) : null)).ToArray()).ToList(), "timings");
        }
        if (results.Info.Notes.Count > 0)
        {
            h.Append("<h3>Notes</h3><ul>\n");
            foreach (var n in results.Info.Notes) h.Append("<li>").Append(E(n)).Append("</li>\n");
            h.Append("</ul>\n");
        }
        h.Append("</section>\n");

        h.Append("<section id=\"results\"><h2>Results</h2>\n");
        if (table.IsEmpty) h.Append("<p class=\"empty\">No results: summary.csv holds no headline values.</p>\n");
        else
        {
            h.Append("<p class=\"hint\">Mean ± half-width of the 95% interval; ↑ higher is better, ↓ lower is better; best in bold. Click a header to sort.</p>\n");
            var header = new[] { "method", "n" }.Concat(table.Columns.Select(c => c.Header)).ToArray();
            var rows = table.Rows.Select(r => new (string, string?)[] { (r.Method, null), (Num.Int(r.Images), Num.Int(r.Images)) }
                .Concat(r.Cells.Select(c => c is null ? ("–", (string?)"NaN") : (c.Text + (c.Note is { } k ? $" [{k}]" : ""), (string?)Num.Exact(c.Mean)))).ToArray()).ToList();
            var best = table.Rows.Select(r => new[] { false, false }.Concat(r.Cells.Select(c => c?.Best == true)).ToArray()).ToList();
            Table(h, header, rows, "summary", best);
            if (table.Notes.Count > 0)
            {
                h.Append("<ol class=\"notes\">\n");
                foreach (var n in table.Notes) h.Append("<li>").Append(E(n)).Append("</li>\n");
                h.Append("</ol>\n");
            }
            h.Append("<details><summary>Every summary value</summary>\n");
            Table(h, ["method", "metric", "value", "direction", "mean", "se", "ci95 low", "ci95 high", "n", "not defined"],
                results.Summary.Select(s => new (string, string?)[]
                {
                    (s.Method, null), (s.Metric, null), (s.ValueName, null), (s.Direction, null), (Num.Fixed(s.Mean, 4), Num.Exact(s.Mean)),
                    (Num.Fixed(s.StandardError, 4), Num.Exact(s.StandardError)), (Num.Fixed(s.Ci95Low, 4), Num.Exact(s.Ci95Low)),
                    (Num.Fixed(s.Ci95High, 4), Num.Exact(s.Ci95High)), (Num.Int(s.N), Num.Int(s.N)), (Num.Int(s.NotDefined), Num.Int(s.NotDefined)),
                }).ToList(), "all");
            h.Append("</details>\n");
        }
        h.Append("</section>\n");

        h.Append("<section id=\"plots\"><h2>Plots</h2>\n");
        if (other.Count == 0) h.Append("<p class=\"empty\">No plots: the run has no results to draw.</p>\n");
        Figures(h, other);
        h.Append("</section>\n");
        if (history.Count > 0)
        {
            h.Append("<section id=\"history\"><h2>History</h2>\n");
            Figures(h, history);
            h.Append("</section>\n");
        }
        if (gallery.Count > 0)
        {
            h.Append("<section id=\"gallery\"><h2>Gallery</h2>\n");
            foreach (var (id, png) in gallery)
                h.Append("<figure class=\"map\"><img alt=\"saliency maps of ").Append(E(id)).Append("\" src=\"data:image/png;base64,")
                 .Append(Convert.ToBase64String(png)).Append("\"><figcaption>").Append(E(id)).Append("</figcaption></figure>\n");
            h.Append("</section>\n");
        }
        h.Append("</main>\n<footer>Written by EvalHarness ").Append(E(results.Info.EvalHarnessVersion)).Append(" from the results folder alone; no network resources.</footer>\n");
        h.Append("<script>\n").Append(Script).Append("</script>\n</body>\n</html>\n");
        return h.ToString();
    }

    private static void Figures(StringBuilder h, IEnumerable<PlotFile> plots)
    {
        foreach (var p in plots)
        {
            string svg = p.Svg.StartsWith("<?xml", StringComparison.Ordinal) ? p.Svg[(p.Svg.IndexOf('\n') + 1)..] : p.Svg;
            h.Append("<figure class=\"plot\" id=\"").Append(E(Path.GetFileNameWithoutExtension(p.FileName))).Append("\">\n").Append(svg)
             .Append("<figcaption>").Append(E(p.Caption)).Append("</figcaption></figure>\n");
        }
    }

    /// <summary>A sortable table: each cell is (text, sort key); a numeric key goes into data-v ("NaN" sorts last).</summary>
    private static void Table(StringBuilder h, IReadOnlyList<string> header, List<(string Text, string? Key)[]> rows, string id, List<bool[]>? bold = null)
    {
        h.Append("<table class=\"sortable\" id=\"table-").Append(id).Append("\"><thead><tr>");
        foreach (var c in header) h.Append("<th scope=\"col\">").Append(E(c)).Append("</th>");
        h.Append("</tr></thead>\n<tbody>\n");
        for (int r = 0; r < rows.Count; r++)
        {
            h.Append("<tr>");
            for (int c = 0; c < rows[r].Length; c++)
            {
                var (text, key) = rows[r][c];
                h.Append(key is null ? "<td>" : $"<td class=\"num\" data-v=\"{E(key)}\">");
                bool b = bold is not null && bold[r][c];
                h.Append(b ? "<strong>" : "").Append(E(text)).Append(b ? "</strong>" : "").Append("</td>");
            }
            h.Append("</tr>\n");
        }
        h.Append("</tbody></table>\n");
    }

    private static string? NumberKey(string text) =>
        double.TryParse(text, System.Globalization.NumberStyles.Float, Num.Inv, out var v) ? Num.Exact(v) : "NaN";

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 0; color: #222; background: #fafafa; }
        header { background: #0b3d66; color: #fff; padding: 16px 28px; }
        header h1 { margin: 0 0 4px 0; font-size: 24px; }
        header .sub { margin: 0 0 8px 0; opacity: 0.85; }
        nav a { color: #cfe6ff; margin-right: 14px; }
        main { padding: 8px 28px 28px 28px; max-width: 1400px; }
        section { margin-top: 22px; }
        h2 { border-bottom: 2px solid #0b3d66; padding-bottom: 4px; }
        table { border-collapse: collapse; background: #fff; margin: 8px 0; font-size: 14px; }
        th, td { border: 1px solid #d5d5d5; padding: 5px 9px; text-align: left; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        table.sortable th { cursor: pointer; background: #eef3f8; user-select: none; }
        table.sortable th[aria-sort="ascending"]::after { content: " ▲"; }
        table.sortable th[aria-sort="descending"]::after { content: " ▼"; }
        table.facts th { background: #eef3f8; width: 150px; }
        .hint, .empty, footer { color: #666; font-size: 13px; }
        ol.notes { font-size: 13px; color: #444; }
        figure { display: inline-block; vertical-align: top; margin: 10px 14px 10px 0; background: #fff; border: 1px solid #ddd; padding: 8px; }
        figure svg { display: block; max-width: 100%; height: auto; }
        figure img { display: block; max-width: 100%; image-rendering: pixelated; }
        figcaption { font-size: 13px; color: #444; max-width: 700px; margin-top: 6px; }
        footer { padding: 16px 28px; }
        """;

    private const string Script = """
        (function () {
          function key(cell) {
            var v = cell.getAttribute('data-v');
            if (v === null) return { n: false, v: cell.textContent.trim().toLowerCase() };
            var x = parseFloat(v);
            return { n: true, v: isNaN(x) ? null : x };
          }
          function compare(a, b, asc) {
            if (a.n && b.n) {
              if (a.v === null) return b.v === null ? 0 : 1;
              if (b.v === null) return -1;
              return asc ? a.v - b.v : b.v - a.v;
            }
            var c = String(a.v).localeCompare(String(b.v));
            return asc ? c : -c;
          }
          var tables = document.querySelectorAll('table.sortable');
          Array.prototype.forEach.call(tables, function (table) {
            var heads = table.tHead.rows[0].cells;
            Array.prototype.forEach.call(heads, function (th, column) {
              th.addEventListener('click', function () {
                var asc = th.getAttribute('aria-sort') !== 'ascending';
                Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
                th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
                var body = table.tBodies[0];
                var rows = Array.prototype.slice.call(body.rows);
                rows.sort(function (r1, r2) { return compare(key(r1.cells[column]), key(r2.cells[column]), asc); });
                rows.forEach(function (r) { body.appendChild(r); });
              });
            });
          });
        })();
        """;
}
