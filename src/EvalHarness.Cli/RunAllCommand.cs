using System.CommandLine;
using EvalHarness.Engine;
using EvalHarness.Harness.Config;

namespace EvalHarness.Cli;

/// <summary>
/// <c>evalharness run-all [configs...]</c>: runs each config in turn (default: every configs/*.yaml with a
/// dataset section), going on after a failure; exit code 2 when any failed.
/// </summary>
internal static class RunAllCommand
{
    public static Command Create()
    {
        var configs = new Argument<string[]>("configs") { Description = "Run configs (default: configs/*.yaml that have a dataset: section).", Arity = ArgumentArity.ZeroOrMore };
        var limit = new Option<int?>("--limit") { Description = "Use only the first N images of each." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Plain log lines instead of live progress bars." };
        var command = new Command("run-all", "Run several configs one after another.") { configs, limit, quiet };
        command.SetGuardedAction((parse, output, error) =>
        {
            var files = parse.GetValue(configs) is { Length: > 0 } given ? given.ToList() : Defaults();
            if (files.Count == 0)
                throw new EvalHarnessException("no configs to run: configs/*.yaml has none with a dataset: section (run from the repository root, or name the configs).");
            var failed = new List<string>();
            foreach (var file in files)
            {
                output.WriteLine($"== {file}");
                int code = Guard.Run(error, () => RunCommand.Execute(file, null, parse.GetValue(limit), false, parse.GetValue(quiet), output, error));
                if (code != 0) failed.Add(file);
            }
            output.WriteLine($"run-all: {files.Count - failed.Count} of {files.Count} config(s) ran" + (failed.Count > 0 ? $"; failed: {string.Join(", ", failed)}" : ""));
            return failed.Count == 0 ? 0 : Guard.UserError;
        });
        return command;
    }

    /// <summary>configs/*.yaml (sorted) whose merged document has a dataset: section; model configs and fragments have none.</summary>
    internal static List<string> Defaults(string folder = "configs")
    {
        if (!Directory.Exists(folder)) return [];
        return Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal).Where(HasDataset).ToList();
    }

    private static bool HasDataset(string file)
    {
        try
        {
            return ConfigDocument.Load(file).Find("dataset") is not null;
        }
        catch (EvalHarnessException)
        {
            return true; // let the run report what is wrong with it
        }
    }
}
