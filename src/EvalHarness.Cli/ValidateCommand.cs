using System.CommandLine;
using EvalHarness.Harness;

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
            var dataset = Harness.Datasets.DatasetCatalog.Create(plan.Dataset);
            var selected = Harness.Datasets.Subset.Select(dataset.Items, plan.Limit, plan.SubsetModeName, plan.Seed);
            var ids = selected.Select(s => s.Id).ToList();
            foreach (var maps in plan.Methods.Where(m => m.Descriptor.Name == Harness.Methods.PrecomputedMaps.Name).Select(m => m.Create()).OfType<Harness.Methods.PrecomputedMaps>())
                maps.CheckAvailable(ids);
            output.Write(plan.Describe());
            output.WriteLine("dataset".PadRight(12) + $"{dataset.Items.Count} image(s) in {dataset.Source}; {selected.Count} selected");
            output.WriteLine("valid");
            return 0;
        });
        return command;
    }
}
