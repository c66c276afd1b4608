using System.CommandLine;
using EvalHarness.Saliency;

namespace EvalHarness.Cli;

internal static class Commands
{
    public static IEnumerable<Command> All()
    {
        yield return List();
    }

    private static Command List()
    {
        var what = new Argument<string>("what") { Description = "methods | models" };
        var command = new Command("list", "List the registered methods or model architectures.") { what };
        command.SetAction(parse => Guard.Run(() =>
        {
            var kind = parse.GetValue(what)!.Trim().ToLowerInvariant();
            IReadOnlyList<string> names = kind switch
            {
                "methods" => SaliencyCatalog.Names,
                _ => throw new Engine.UnknownNameException(Engine.NameMatcher.UnknownMessage("list", kind, ["methods", "models"])),
            };
            foreach (var n in names) Console.WriteLine(n);
            return 0;
        }));
        return command;
    }
}
