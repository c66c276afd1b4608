using EvalHarness.Cli.Tests.Runs;
using EvalHarness.Reports.Results;
using EvalHarness.Tests.Common;

namespace EvalHarness.Cli.Tests;

/// <summary>
/// The README's first command, exactly as written, in a clean clone of the repository (the committed
/// tree only), with the image count lowered through the QUICKSTART_IMAGES variable that
/// configs/quickstart.yaml reads. It builds the CLI from scratch, so it takes a minute or two.
/// </summary>
public sealed class ReadmeCommandTests
{
    private const int Images = 2;

    [SkippableFact]
    public void The_readmes_first_command_runs_the_quickstart_in_a_clean_clone()
    {
        string root = TestPaths.RepoRoot;
        Skip.IfNot(Directory.Exists(Path.Combine(root, ".git")) || File.Exists(Path.Combine(root, ".git")),
            $"{root} is not a git checkout, so there is no committed tree to clone.");
        var (first, second) = ReadmeCommands(Path.Combine(root, "README.md"));
        Assert.Contains("configs/quickstart.yaml", first);
        Assert.Contains("test", second);

        using var temp = new TempDir();
        string clone = temp.File("clone");
        Run("git", ["clone", "--quiet", "--no-hardlinks", root, clone], temp.Path, TimeSpan.FromMinutes(2));
        string head = Run("git", ["rev-parse", "HEAD"], clone, TimeSpan.FromMinutes(1)).Trim();

        var output = Run("bash", ["-c", first], clone, TimeSpan.FromMinutes(20), ("QUICKSTART_IMAGES", Images.ToString()));

        var runs = Directory.GetDirectories(Path.Combine(clone, "results", "quickstart"));
        string dir = Assert.Single(runs);
        Assert.Contains($"results: {dir}", output);
        foreach (var file in new[] { "run.json", "per_image.csv", "summary.csv", "curves.csv", "summary.md", "report.html" })
            Assert.True(File.Exists(Path.Combine(dir, file)), $"{file} missing in {dir}; output:\n{output}");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir, "plots"), "*.svg"));

        var results = ResultsFolder.Read(dir);
        Assert.Equal(head[..12], results.Info.GitCommit?[..12]);
        Assert.Equal(Images, results.Info.Dataset.Selected);
        int methods = results.Info.Methods.Count, metrics = results.Info.Metrics.Count;
        Assert.True(methods >= 20 && metrics >= 8, $"the quickstart ran {methods} methods and {metrics} metrics");
        Assert.Equal(Images, results.PerImage.Select(r => r.ImageId).Distinct().Count());
        foreach (var method in results.Info.Methods)
            foreach (var metric in results.Info.Metrics)
                Assert.Contains(results.PerImage, r => r.Method == method.Id && r.Metric == metric.Id);
        Assert.All(results.Summary.Where(s => s.Headline && s.N > 0), s => Assert.True(double.IsFinite(s.Mean), $"{s.Method} {s.Metric}"));
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(dir, "report.html")));
    }

    /// <summary>The two commands of the README's first fenced block, which must come before any other text but the title.</summary>
    internal static (string First, string Second) ReadmeCommands(string readme)
    {
        var lines = File.ReadAllLines(readme);
        int open = Array.FindIndex(lines, l => l.StartsWith("```", StringComparison.Ordinal));
        Assert.True(open >= 0 && open <= 3, $"{readme}: the commands must open the README (first fence at line {open + 1}).");
        var body = lines.Skip(open + 1).TakeWhile(l => !l.StartsWith("```", StringComparison.Ordinal)).Where(l => l.Trim().Length > 0).ToList();
        Assert.True(body.Count == 2, $"{readme}: the first block must hold exactly two commands, not {body.Count}.");
        return (body[0].Trim(), body[1].Trim());
    }

    private static string Run(string file, string[] args, string workingDirectory, TimeSpan timeout, params (string Name, string Value)[] env)
    {
        var start = ChildProcess.Info(file, workingDirectory, args);
        foreach (var (name, value) in env) start.Environment[name] = value;
        return ChildProcess.Ok(start, timeout);
    }
}
