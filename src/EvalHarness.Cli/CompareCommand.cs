using System.CommandLine;
using EvalHarness.Reports.Compare;
using EvalHarness.Reports.Results;

namespace EvalHarness.Cli;

/// <summary>
/// <c>evalharness compare &lt;baseline&gt; &lt;candidate&gt;</c>: per method × metric deltas with paired tests; exit code 1
/// when a value got worse beyond its tolerance (in its direction), 0 otherwise, 2 for a user error.
/// </summary>
internal static class CompareCommand
{
    public const int Regression = 1;

    public static Command Create()
    {
        var baseline = new Argument<string>("baseline") { Description = "The baseline results folder." };
        var candidate = new Argument<string>("candidate") { Description = "The candidate results folder." };
        var tolerance = new Option<string[]>("--tolerance", "-t")
        {
            Description = "Allowed worsening, metric=value: absolute (deletion=0.01) or relative to the baseline (insertion.auc=5%); '*' for every metric. Repeatable; default 0.",
            AllowMultipleArgumentsPerToken = true,
        };
        var outDir = new Option<string?>("--out", "-o") { Description = "A folder for comparison.md and comparison.csv." };
        var command = new Command("compare", "Compare a candidate run with a baseline; exit code 1 on a regression beyond tolerance.") { baseline, candidate, tolerance, outDir };
        command.SetGuardedAction((parse, output, error) =>
        {
            var tolerances = Tolerances.Parse(parse.GetValue(tolerance) ?? []);
            string a = parse.GetValue(baseline)!, b = parse.GetValue(candidate)!;
            var comparison = RunComparer.Compare(ResultsFolder.Read(a), ResultsFolder.Read(b), tolerances, $"baseline '{a}'", $"candidate '{b}'");
            string markdown = ComparisonWriter.Markdown(comparison, a, b);
            if (parse.GetValue(outDir) is { } dir)
            {
                if (File.Exists(dir)) throw new Engine.EvalHarnessException($"--out '{dir}' is a file; give a folder.");
                ResultsFolder.WriteAtomically(Path.Combine(dir, ComparisonWriter.MarkdownFile), markdown);
                ResultsFolder.WriteAtomically(Path.Combine(dir, ComparisonWriter.CsvFile), ComparisonWriter.Csv(comparison));
            }
            output.Write(markdown);
            if (comparison.Differences.Count > 0)
                error.WriteLine($"note: the runs differ in {comparison.Differences.Count} way{(comparison.Differences.Count == 1 ? "" : "s")} (see 'The runs differ').");
            if (comparison.OnlyInBaseline.Count + comparison.OnlyInCandidate.Count > 0)
                error.WriteLine($"note: {comparison.OnlyInBaseline.Count} value(s) only in the baseline and {comparison.OnlyInCandidate.Count} only in the candidate were not compared.");
            error.WriteLine(ComparisonWriter.Verdict(comparison));
            return comparison.HasRegression ? Regression : 0;
        });
        return command;
    }
}
