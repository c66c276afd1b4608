using System.CommandLine;
using EvalHarness.Engine;
using EvalHarness.Harness.Running;
using EvalHarness.Reports;

namespace EvalHarness.Cli;

/// <summary>
/// <c>evalharness merge &lt;shard dirs | parent dir&gt;... --out &lt;dir&gt;</c>: joins the shards of one run
/// (<c>run --shard i/n</c>) into the results folder the unsharded run would have written, with its reports.
/// </summary>
internal static class MergeCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("shards") { Description = "Shard results folders, or a folder holding them.", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<string>("--out", "-o") { Description = "The merged results folder (new).", Required = true };
        var command = new Command("merge", "Join the shards of a run (run --shard i/n) into one results folder with its reports.") { inputs, outDir };
        command.SetGuardedAction((parse, output, _) =>
        {
            string dir = Path.GetFullPath(parse.GetValue(outDir)!);
            if (File.Exists(Path.Combine(dir, Reports.Results.ResultsFolder.RunJson)))
                throw new EvalHarnessException($"merge: {dir} already holds a results folder; give a new --out.");
            var results = Merger.Merge(parse.GetValue(inputs)!, dir);
            bool report = results.Info.ResolvedConfig["outputs"]?["report"]?.ToString() is not "false";
            if (report) ReportWriter.WriteAll(dir);
            RunCommand.WriteSummary(output, results);
            output.WriteLine($"merged {results.PerImage.Select(r => r.ImageId).Distinct().Count()} images from the shards into {dir}");
            return 0;
        });
        return command;
    }
}
