using System.CommandLine;
using EvalHarness.Engine;
using EvalHarness.Models;
using EvalHarness.Saliency;

namespace EvalHarness.Cli;

/// <summary><c>evalharness list methods|models</c>.</summary>
internal static class ListCommand
{
    private static readonly string[] Kinds = ["methods", "models"];

    public static Command Create()
    {
        var what = new Argument<string>("what") { Description = "methods | models" };
        var command = new Command("list", "List the registered saliency methods or model architectures.") { what };
        command.SetGuardedAction((parse, output, _) =>
        {
            string kind = parse.GetValue(what)!.Trim().ToLowerInvariant();
            switch (kind)
            {
                case "methods":
                    var methods = SaliencyCatalog.Names.Select(n => SaliencyCatalog.Create(n).Descriptor).ToList();
                    Table(output, ["method", "version", "family", "target layer", "source"],
                        methods.Select(d => new[] { d.Name, $"v{d.Version}", d.Family, d.NeedsTargetLayer ? "yes" : "no", d.Source }));
                    break;
                case "models":
                    Table(output, ["architecture", "family", "default layer", "input"],
                        ModelZoo.Architectures.Select(ModelZoo.Get).Select(s => new[] { s.Name, s.Family, s.DefaultTargetLayer, $"{s.InputSize}×{s.InputSize}" }));
                    break;
                default:
                    throw new UnknownNameException(NameMatcher.UnknownMessage("list", kind, Kinds));
            }
            return 0;
        });
        return command;
    }

    private static void Table(TextWriter output, string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(c => all.Max(r => r[c].Length)).ToArray();
        foreach (var row in all)
            output.WriteLine(string.Join("  ", row.Select((v, c) => c == row.Length - 1 ? v : v.PadRight(widths[c]))).TrimEnd());
    }
}
