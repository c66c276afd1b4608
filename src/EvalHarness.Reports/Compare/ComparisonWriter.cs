using System.Globalization;
using System.Text;
using CsvHelper;
using EvalHarness.Reports.Tables;

namespace EvalHarness.Reports.Compare;

/// <summary>The comparison as markdown (for people and CI logs) and CSV (exact numbers, invariant culture).</summary>
public static class ComparisonWriter
{
    public const string MarkdownFile = "comparison.md", CsvFile = "comparison.csv";

    public static string Verdict(RunComparison c)
    {
        int regressed = c.Regressions.Count();
        return regressed > 0
            ? $"REGRESSION: {regressed} value{(regressed == 1 ? "" : "s")} got worse beyond the tolerance ({string.Join(", ", c.Regressions.Select(r => $"{r.Method} / {r.Metric} {r.ValueName}"))})."
            : $"OK: no value got worse beyond its tolerance ({c.Rows.Count(r => r.Verdict != Compare.Verdict.NotJudged)} values judged).";
    }

    public static string Markdown(RunComparison c, string baselinePath, string candidatePath)
    {
        var md = new StringBuilder();
        md.Append("# Comparison\n\n");
        md.Append("- **baseline**: ").Append(SummaryMarkdown.Escape($"{c.BaselineName} ({baselinePath})")).Append('\n');
        md.Append("- **candidate**: ").Append(SummaryMarkdown.Escape($"{c.CandidateName} ({candidatePath})")).Append('\n');
        md.Append("- **images**: ").Append($"{c.BaselineImages} in the baseline, {c.CandidateImages} in the candidate, {c.SharedImages} shared")
          .Append(c.SharedImages < Math.Max(c.BaselineImages, c.CandidateImages) ? " (deltas and tests are over the shared images)" : "").Append('\n');
        md.Append("\n**").Append(SummaryMarkdown.Escape(Verdict(c))).Append("**\n");
        if (c.Differences.Count > 0)
        {
            md.Append("\n## The runs differ\n\n");
            foreach (var d in c.Differences) md.Append("- ").Append(SummaryMarkdown.Escape(d)).Append('\n');
        }
        md.Append("\n## Values\n\n");
        md.Append("Δ = candidate − baseline over the images both have a value for; p from the paired t-test and the Wilcoxon signed-rank test; d_z = mean Δ / sd Δ.\n\n");
        var header = new[] { "method", "metric", "dir", "baseline", "candidate", "Δ", "n", "p (t)", "p (Wilcoxon)", "d_z", "not defined", "tolerance", "verdict" };
        var rows = c.Rows.Select(r => new[]
        {
            SummaryMarkdown.Escape(r.Method), SummaryMarkdown.Escape($"{r.Metric} {r.ValueName}"), Arrow(r.Direction),
            Num.Fixed(r.BaselineMean, 4), Num.Fixed(r.CandidateMean, 4), Signed(r.Delta), Num.Int(r.Paired), Num.P(r.TTestP), Num.P(r.WilcoxonP),
            Dz(r.CohenDz), $"{r.BaselineNotDefined} → {r.CandidateNotDefined}", r.ToleranceText,
            r.Verdict == Compare.Verdict.Regressed ? "**regressed**" : Text(r.Verdict),
        }).ToList();
        md.Append(SummaryMarkdown.Markdown(header, rows, [false, false, false, true, true, true, true, true, true, true, true, true, false]));
        if (c.OnlyInBaseline.Count > 0)
        {
            md.Append("\n## Only in the baseline (not compared)\n\n");
            foreach (var k in c.OnlyInBaseline) md.Append("- ").Append(SummaryMarkdown.Escape(k)).Append('\n');
        }
        if (c.OnlyInCandidate.Count > 0)
        {
            md.Append("\n## Only in the candidate (not compared)\n\n");
            foreach (var k in c.OnlyInCandidate) md.Append("- ").Append(SummaryMarkdown.Escape(k)).Append('\n');
        }
        return md.ToString();
    }

    public static string Csv(RunComparison c)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, new CsvWriterOptions { NewLine = "\n", FormatProvider = CultureInfo.InvariantCulture }, leaveOpen: true))
        {
            csv.WriteHeader(["method", "metric", "value_name", "direction", "headline", "baseline_mean", "candidate_mean", "delta", "worsening", "n_paired",
                "t_test_p", "wilcoxon_p", "cohen_dz", "baseline_not_defined", "candidate_not_defined", "tolerance", "verdict"]);
            foreach (var r in c.Rows)
            {
                csv.WriteField(r.Method); csv.WriteField(r.Metric); csv.WriteField(r.ValueName); csv.WriteField(r.Direction); csv.WriteField(r.Headline ? "true" : "false");
                csv.WriteField(Num.Exact(r.BaselineMean)); csv.WriteField(Num.Exact(r.CandidateMean)); csv.WriteField(Num.Exact(r.Delta)); csv.WriteField(Num.Exact(r.Worsening));
                csv.WriteField(Num.Int(r.Paired)); csv.WriteField(Num.Exact(r.TTestP)); csv.WriteField(Num.Exact(r.WilcoxonP)); csv.WriteField(Num.Exact(r.CohenDz));
                csv.WriteField(Num.Int(r.BaselineNotDefined)); csv.WriteField(Num.Int(r.CandidateNotDefined)); csv.WriteField(Num.Exact(r.Tolerance)); csv.WriteField(Text(r.Verdict));
                csv.EndRecord();
            }
        }
        return text.ToString();
    }

    public static string Text(Verdict v) => v switch
    {
        Compare.Verdict.NotJudged => "not judged",
        Compare.Verdict.Unchanged => "unchanged",
        Compare.Verdict.Improved => "improved",
        Compare.Verdict.WithinTolerance => "worse within tolerance",
        _ => "regressed",
    };

    private static string Arrow(string direction) => direction switch { "higher" => "↑", "lower" => "↓", _ => "" };

    private static string Signed(double v) => double.IsNaN(v) ? "n/a" : (v > 0 ? "+" : "") + Num.Fixed(v, 4);

    private static string Dz(double v) => double.IsNaN(v) ? "n/a" : double.IsInfinity(v) ? (v > 0 ? "+inf" : "-inf") : Num.Fixed(v, 2);
}
