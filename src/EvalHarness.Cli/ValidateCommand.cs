using System.CommandLine;
using EvalHarness.Harness;
using EvalHarness.Harness.Glue;

namespace EvalHarness.Cli;

/// <summary><c>evalharness validate &lt;config&gt;</c>: everything a run checks before its first forward pass, and the resolved plan in brief.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("config.yaml") { Description = "The run config to check." };
        var limit = new Option<int?>("--limit") { Description = "As for run: use only the first N images." };
        var command = new Command("validate", "Check a run config (fields, model, dataset files, methods, metrics, layers) without running it.") { file, limit };
        command.SetGuardedAction((parse, output, _) =>
        {
            var plan = RunPlan.Load(parse.GetValue(file)!, new PlanOverrides { Limit = parse.GetValue(limit) });
            var dataset = DatasetBridge.Open(plan.Dataset);
            var selected = DatasetBridge.Select(dataset.Items, plan.Limit, plan.SubsetMode, plan.Seed);
            output.Write(plan.Describe());
            output.WriteLine("dataset".PadRight(12) + $"{dataset.Items.Count} image(s) in {dataset.Source}; {selected.Count} selected");
            output.WriteLine("valid");
            return 0;
        });
        return command;
    }
}
