using EvalHarness.Reports.Tables;

namespace EvalHarness.Reports.Plots;

/// <summary>
/// Methods × headline metrics coloured by rank (1 = best, dark) with the rank written in each cell, and a last
/// column with each method's mean rank over the metrics it has a rank in. Columns without a direction are left out.
/// </summary>
public static class RankHeatmap
{
    public static string Svg(SummaryTable table)
    {
        var columns = Enumerable.Range(0, table.Columns.Count).Where(c => table.Columns[c].Arrow.Length > 0).ToList();
        int methods = table.Rows.Count;
        const double cell = 64, cellH = 30, top = 120;
        double left = 24 + table.Rows.Select(r => Plots.Svg.TextWidth(r.Method, 12)).DefaultIfEmpty(40).Max();
        var svg = new Svg(left + (columns.Count + 1) * cell + 30, top + methods * cellH + 50, "Rank of each method per metric");
        svg.Text(12, 24, "Rank of each method per metric (1 = best)", "start", 15, "bold", cls: "title");
        var headers = columns.Select(c => table.Columns[c].Header).Append("mean rank").ToList();
        for (int c = 0; c < headers.Count; c++)
            svg.Text(left + (c + 0.5) * cell, top - 8, headers[c], "start", 11, rotate: -40, cls: "column");
        for (int m = 0; m < methods; m++)
        {
            var row = table.Rows[m];
            double y = top + m * cellH;
            svg.Open("row", "method", row.Method);
            svg.Text(left - 8, y + cellH / 2 + 4, row.Method, "end", 12, cls: "method");
            var ranks = columns.Select(c => row.Cells[c]?.Rank ?? double.NaN).ToList();
            var defined = ranks.Where(double.IsFinite).ToList();
            ranks.Add(defined.Count > 0 ? defined.Average() : double.NaN);
            for (int c = 0; c < ranks.Count; c++)
            {
                double r = ranks[c], x = left + c * cell;
                double t = methods > 1 ? (r - 1) / (methods - 1) : 0;
                string fill = double.IsFinite(r) ? Palette.Sequential(t) : "#dddddd";
                svg.Rect(x, y, cell - 2, cellH - 2, fill, null, $"class=\"cell\" data-rank=\"{(double.IsFinite(r) ? Num.Exact(r) : "NaN")}\"");
                string text = double.IsFinite(r) ? (r == Math.Round(r) ? Num.Fixed(r, 0) : Num.Fixed(r, 1)) : "–";
                svg.Text(x + cell / 2 - 1, y + cellH / 2 + 4, text, "middle", 12, cls: "rank", fill: double.IsFinite(r) && t < 0.5 ? "#ffffff" : "#111111");
            }
            svg.Close();
        }
        svg.Text(12, top + methods * cellH + 30, "Ranks by mean; ties share the average rank; grey: no value.", "start", 11, cls: "caption");
        return svg.ToString();
    }
}
