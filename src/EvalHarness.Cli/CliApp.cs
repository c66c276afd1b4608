using System.CommandLine;
using System.CommandLine.Help;

namespace EvalHarness.Cli;

/// <summary>The evalharness command line, callable in-process with its own output and error writers.</summary>
public static class CliApp
{
    public const string Name = "evalharness";

    /// <summary>Runs one command line; returns the exit code (0 success, 2 user error, 70 internal error).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var root = new RootCommand("EvalHarness: benchmark and evaluate visual explanations of image classifiers.");
        foreach (var command in Commands.All()) root.Subcommands.Add(command);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            var command = parse.CommandResult.Command;
            string help = command == root ? $"{Name} --help" : $"{Name} {command.Name} --help";
            return Guard.Fail(error, $"{string.Join("; ", parse.Errors.Select(e => e.Message.TrimEnd('.')))} (see '{help}').");
        }
        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }
}
