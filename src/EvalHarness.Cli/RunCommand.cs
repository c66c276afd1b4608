using System.CommandLine;
using System.Globalization;
using EvalHarness.Engine;
using EvalHarness.Harness;
using EvalHarness.Harness.Datasets;
using EvalHarness.Harness.Running;
using EvalHarness.Reports.Results;

namespace EvalHarness.Cli;

/// <summary>
/// <c>evalharness run &lt;config&gt; [--out dir] [--limit N] [--resume [--extend]] [--shard i/n] [--quiet]</c>: validates the config, runs
/// every method and metric on the selected images, and writes the results folder (default
/// results/&lt;name&gt;/&lt;UTC stamp&gt;/ under the current folder).
/// </summary>
internal static class RunCommand
{
    public const string ResultsRoot = "results";

    public static Command Create()
    {
        var config = new Argument<string>("config.yaml") { Description = "The run config." };
        var outDir = new Option<string?>("--out", "-o") { Description = "The results folder (default results/<name>/<UTC stamp>/; with --resume, the latest run of the config)." };
        var limit = new Option<int?>("--limit") { Description = "Use only the first N images (overrides the config's limit; counts in the config hash)." };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run in its folder (refused when the config changed)." };
        var extend = new Option<bool>("--extend") { Description = "With --resume: accept a config whose metrics or outputs changed; the stored maps are reused and only the new evaluations run." };
        var shard = new Option<string?>("--shard") { Description = "Run shard i of n (0-based, e.g. 2/8): the images whose id hashes to i; default from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID with EVALHARNESS_SHARD_COUNT. Join the shards with 'evalharness merge'." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Plain log lines instead of live progress bars." };
        var command = new Command("run", "Run every method and metric of a config and write the results folder.") { config, outDir, limit, resume, extend, shard, quiet };
        command.SetGuardedAction((parse, output, error) =>
        {
            if (parse.GetValue(extend) && !parse.GetValue(resume))
                throw new EvalHarnessException("--extend continues an earlier run: give it with --resume (and --out <that run's folder>).");
            return Execute(parse.GetValue(config)!, parse.GetValue(outDir), parse.GetValue(limit), parse.GetValue(resume), parse.GetValue(quiet), output, error,
                parse.GetValue(extend), parse.GetValue(shard));
        });
        return command;
    }

    public static int Execute(string configPath, string? outDir, int? limit, bool resume, bool quiet, TextWriter output, TextWriter error,
        bool extend = false, string? shardText = null)
    {
        ShardSpec? shard = null;
        if (shardText is not null) shard = ShardSpec.Parse(shardText);
        else if (ShardSpec.FromEnvironment() is var (fromEnv, source))
        {
            shard = fromEnv;
            error.WriteLine($"note: shard {shard} from {source}.");
        }
        var plan = RunPlan.Load(configPath, new PlanOverrides { Limit = limit });
        var dataset = DatasetCatalog.Create(plan.Dataset);
        // A shard's default folder is stable (config hash and index), so a failed shard re-runs into it with --resume.
        string dir = outDir is not null ? Path.GetFullPath(outDir)
            : shard is not null ? Path.GetFullPath(Path.Combine(ResultsRoot, plan.Name, $"{plan.ConfigHash[..12]}-shard-{shard.Index}-of-{shard.Count}"))
            : resume ? Latest(plan.Name) : NewFolder(plan.Name);
        // A shard's --resume starts the shard when its folder holds nothing yet, so one command serves a
        // scheduler's first attempt and its retries.
        if (shard is not null && resume && !File.Exists(Path.Combine(dir, ResultStore.FileName))) resume = false;
        if (!plan.Model.Pretrained)
            error.WriteLine($"note: {plan.Model.Name} has no weights file and uses eh-init-v1 deterministic weights: it is NOT pretrained, so its predictions are meaningless.");

        using var cancel = new CancellationTokenSource();
        bool console = ReferenceEquals(output, Console.Out);
        ConsoleCancelEventHandler? onCancel = null;
        if (console)
        {
            onCancel = (_, e) =>
            {
                e.Cancel = true;
                cancel.Cancel();
            };
            Console.CancelKeyPress += onCancel;
        }
        RunResults results;
        try
        {
            var options = new RunOptions
            {
                Directory = dir, Resume = resume, Extend = extend, Dataset = dataset, Shard = shard,
                // results/history.sqlite for runs in the default layout; with --out, one that already exists beside the run (parent or grandparent).
                HistoryPath = shard is not null ? null : outDir is null ? Path.GetFullPath(Path.Combine(ResultsRoot, Reports.History.HistoryStore.FileName)) : Reports.History.HistoryStore.Locate(dir),
            };
            if (console && !quiet && !Console.IsOutputRedirected)
                results = SpectreProgress.Run(p => Runner.Run(plan, options, p, cancel.Token));
            else
                results = Runner.Run(plan, options, new PlainProgress(output), cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new EvalHarnessException($"interrupted; every image finished is kept in {dir}; continue with '{Runner.ResumeCommand(plan, dir, shard)}'.");
        }
        finally
        {
            if (onCancel is not null) Console.CancelKeyPress -= onCancel;
        }
        WriteSummary(output, results);
        output.WriteLine($"results: {dir}");
        return 0;
    }

    /// <summary>The headline value of every method × metric: mean, 95% interval, n.</summary>
    public static void WriteSummary(TextWriter output, RunResults results)
    {
        var inv = CultureInfo.InvariantCulture;
        var rows = results.Summary.Where(s => s.Headline).Select(s => new[]
        {
            s.Method, s.Metric, s.ValueName + (s.Direction switch { "higher" => " ↑", "lower" => " ↓", _ => "" }),
            s.Mean.ToString("0.0000", inv), double.IsNaN(s.Ci95Low) ? "" : $"[{s.Ci95Low.ToString("0.0000", inv)}, {s.Ci95High.ToString("0.0000", inv)}]",
            s.N.ToString(inv) + (s.NotDefined > 0 ? $" (+{s.NotDefined} n/a)" : ""),
        }).ToList();
        if (rows.Count == 0) return;
        string[] header = ["method", "metric", "value", "mean", "95% CI", "n"];
        var all = rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(c => all.Max(r => r[c].Length)).ToArray();
        foreach (var row in all)
            output.WriteLine(string.Join("  ", row.Select((v, c) => v.PadRight(widths[c]))).TrimEnd());
    }

    private static string NewFolder(string name)
    {
        string root = Path.GetFullPath(Path.Combine(ResultsRoot, name));
        string stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        string dir = Path.Combine(root, stamp);
        for (int i = 2; Directory.Exists(dir); i++) dir = Path.Combine(root, $"{stamp}-{i}");
        return dir;
    }

    private static string Latest(string name)
    {
        string root = Path.GetFullPath(Path.Combine(ResultsRoot, name));
        var latest = Directory.Exists(root)
            ? Directory.GetDirectories(root).Where(d => File.Exists(Path.Combine(d, ResultStore.FileName))).Order(StringComparer.Ordinal).LastOrDefault()
            : null;
        return latest ?? throw new EvalHarnessException($"--resume: no earlier run of '{name}' under {root}; give its folder with --out, or start a new run without --resume.");
    }
}
