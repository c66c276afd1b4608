using System.CommandLine;
using EvalHarness.Engine;
using EvalHarness.Models;
using EvalHarness.Saliency;

namespace EvalHarness.Cli;

/// <summary><c>evalharness list methods|models</c>.</summary>
internal static class ListCommand
{
    private static readonly string[] Kinds = ["methods", "metrics", "models", "datasets"];

    public static Command Create()
    {
        var what = new Argument<string>("what") { Description = "methods | metrics | models | datasets" };
        var command = new Command("list", "List the registered saliency methods, metrics, model architectures or dataset kinds.") { what };
        command.SetGuardedAction((parse, output, _) =>
        {
            string kind = parse.GetValue(what)!.Trim().ToLowerInvariant();
            switch (kind)
            {
                case "methods":
                    var methods = SaliencyCatalog.Names.Select(n => SaliencyCatalog.Create(n).Descriptor).ToList();
                    Table(output, ["method", "version", "family", "target layer", "source"],
                        methods.Select(d => new[] { d.Name, $"v{d.Version}", d.Family, d.NeedsTargetLayer ? "yes" : "no", d.Source }));
                    output.WriteLine();
                    output.WriteLine($"<method>+ge  Gradual Extrapolation (Szandała 2021) of any of: {string.Join(", ", SaliencyCatalog.GradualExtrapolationInners)} " +
                                     "(e.g. gradcam+ge; the method's parameters apply, plus ge-layers=all|before-map).");
                    output.WriteLine("precomputed  maps made elsewhere, one .npy per image id (run configs: params folder, pattern '{id}.npy' or '{id}_{target}.npy', resize none|bilinear).");
                    output.WriteLine("assembly:    your own ISaliencyMethod from a .NET assembly (run configs: assembly: <dll>, type: <class>, params: {...}).");
                    break;
                case "models":
                    Table(output, ["architecture", "family", "default layer", "input"],
                        ModelZoo.Architectures.Select(ModelZoo.Get).Select(s => new[] { s.Name, s.Family, s.DefaultTargetLayer, $"{s.InputSize}×{s.InputSize}" }));
                    break;
                case "metrics":
                    Table(output, ["metric", "version", "category", "direction", "values"],
                        Metrics.MetricCatalog.Names.Select(n => Metrics.MetricCatalog.Create(n).Descriptor).Select(d => new[]
                        {
                            d.Name, $"v{d.Version}", d.Category.ToString().ToLowerInvariant(),
                            d.Direction switch { Metrics.MetricDirection.HigherIsBetter => "higher", Metrics.MetricDirection.LowerIsBetter => "lower", _ => "none" },
                            string.Join(", ", d.Outputs.Select(o => o.Name)),
                        }));
                    break;
                case "datasets":
                    foreach (var name in Harness.Datasets.DatasetCatalog.Names) output.WriteLine(name);
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
