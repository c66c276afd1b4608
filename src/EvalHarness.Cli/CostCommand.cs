using System.CommandLine;
using System.Globalization;
using EvalHarness.Engine;
using EvalHarness.Reports.Results;

namespace EvalHarness.Cli;

/// <summary>
/// <c>evalharness cost &lt;results dir&gt; [--images 50000] [--nodes 1,10,100]</c>: the cost model of a
/// measured run. From run.json's timings it takes the wall seconds per image of the whole run and of
/// each method and metric (a metric's time is summed over the methods it scored), and projects them to
/// <c>--images</c> images on <c>--nodes</c> nodes, each running one shard on the cores the measured run
/// had: wall time = ⌈images / nodes⌉ · seconds per image, core-hours = images · seconds per image ·
/// cores / 3600. Shards are independent, so the projection is linear; it leaves out start-up (seconds)
/// and the merge (minutes for 50,000 images).
/// </summary>
internal static class CostCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("results") { Description = "A finished results folder whose run.json holds the timings (a run of a few images of the config to cost)." };
        var images = new Option<int>("--images") { Description = "Images to project to (default 50000, ILSVRC2012 val).", DefaultValueFactory = _ => 50000 };
        var nodes = new Option<string>("--nodes") { Description = "Node counts, comma-separated (default 1,10,100).", DefaultValueFactory = _ => "1,10,100" };
        var command = new Command("cost", "Project a measured run's time per image to wall time and core-hours for a large run on N nodes.") { dir, images, nodes };
        command.SetGuardedAction((parse, output, _) =>
        {
            string folder = parse.GetValue(dir)!;
            string json = Path.Combine(folder, ResultsFolder.RunJson);
            if (!File.Exists(json)) throw new EvalHarnessException($"{folder} has no {ResultsFolder.RunJson}; give a results folder.");
            var info = ResultsFolder.ReadJson<RunInfo>(json);
            int target = parse.GetValue(images);
            if (target < 1) throw new EvalHarnessException($"--images must be at least 1, not {target}.");
            var counts = Parse(parse.GetValue(nodes)!);
            var model = Estimate(info);
            var inv = CultureInfo.InvariantCulture;
            output.WriteLine($"{info.Name}: {model.Images} image(s) measured on {info.Machine.LogicalCores} core(s) ({info.Machine.Cpu}), {model.SecondsPerImage.ToString("0.###", inv)} s per image");
            foreach (var (label, seconds) in model.Parts.OrderByDescending(p => p.Seconds))
                output.WriteLine($"  {label,-36} {seconds.ToString("0.###", inv),10} s/image");
            output.WriteLine();
            output.WriteLine($"{"nodes",6}  {"wall time",14}  {"core-hours",11}   ({target.ToString(inv)} images, one shard of {info.Machine.LogicalCores} core(s) per node)");
            foreach (int n in counts)
            {
                var (wall, coreHours) = model.Project(target, n, info.Machine.LogicalCores);
                output.WriteLine($"{n,6}  {Duration(wall),14}  {coreHours.ToString("0", inv),11}");
            }
            return 0;
        });
        return command;
    }

    internal sealed record CostModel(int Images, double SecondsPerImage, List<(string Label, double Seconds)> Parts)
    {
        public (double WallSeconds, double CoreHours) Project(int images, int nodes, int cores) =>
            (Math.Ceiling(images / (double)nodes) * SecondsPerImage, images * SecondsPerImage * cores / 3600.0);
    }

    internal static CostModel Estimate(RunInfo info)
    {
        var total = info.Timings.FirstOrDefault(t => t.Stage == "run" && t.Id == "total")
            ?? throw new EvalHarnessException($"run.json of '{info.Name}' has no total time: the run did not finish; cost a finished run.");
        if (total.Images < 1) throw new EvalHarnessException($"run.json of '{info.Name}' counts no images.");
        var parts = info.Timings.Where(t => t.Stage is "method" or "metric" or "model" && t.Seconds > 0)
            .Select(t => ($"{t.Stage} {t.Id}", t.Seconds / total.Images)).ToList();
        return new CostModel(total.Images, total.Seconds / total.Images, parts);
    }

    private static List<int> Parse(string text)
    {
        var result = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 1)
                throw new EvalHarnessException($"--nodes '{text}': '{part}' is not a positive node count; give e.g. 1,10,100.");
            result.Add(n);
        }
        if (result.Count == 0) throw new EvalHarnessException("--nodes is empty; give e.g. 1,10,100.");
        return result;
    }

    internal static string Duration(double seconds)
    {
        var inv = CultureInfo.InvariantCulture;
        return seconds >= 86400 ? $"{(seconds / 86400).ToString("0.0", inv)} days"
            : seconds >= 3600 ? $"{(seconds / 3600).ToString("0.0", inv)} h"
            : $"{(seconds / 60).ToString("0.0", inv)} min";
    }
}
