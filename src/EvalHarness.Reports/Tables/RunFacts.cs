using EvalHarness.Reports.Results;

namespace EvalHarness.Reports.Tables;

/// <summary>The facts of a run as label/value pairs (model, dataset, n, seed, commit, times), shared by summary.md and report.html.</summary>
public static class RunFacts
{
    public static List<(string Label, string Value)> Of(RunResults results)
    {
        var i = results.Info;
        int images = results.PerImage.Select(p => p.ImageId).Distinct().Count();
        var facts = new List<(string, string)>
        {
            ("run", i.Name),
            ("model", $"{i.Model.Name} ({i.Model.Architecture}, {i.Model.Classes} classes)"),
            ("weights", i.Model.Weights is null ? "none (deterministic initialisation)" : $"{i.Model.Weights}" + (i.Model.WeightsSha256 is { } sha ? $" (sha256 {Short(sha, 16)})" : "")),
            ("preprocessing", i.Model.Preprocessing),
            ("dataset", $"{i.Dataset.Kind}: {i.Dataset.Source}"),
            ("images", $"{Num.Int(images)} evaluated; {Num.Int(i.Dataset.Selected)} selected of {Num.Int(i.Dataset.Available)} ({i.Dataset.Selection})"),
            ("methods", string.Join(", ", i.Methods.Select(m => $"{m.Id} v{Num.Int(m.Version)}" + (m.TargetLayer is { } l ? $" @ {l}" : "")))),
            ("metrics", string.Join(", ", i.Metrics.Select(m => $"{m.Id} v{Num.Int(m.Version)}"))),
            ("seed", i.Seed.ToString(Num.Inv)),
            ("config hash", Short(i.ConfigHash, 16)),
            ("EvalHarness", i.EvalHarnessVersion + (i.GitCommit is { } c ? $", commit {Short(c, 12)}" + (i.GitDirty == true ? " (uncommitted changes)" : "") : "")),
            ("machine", $"{i.Machine.Os}, {i.Machine.Runtime}, {i.Machine.Cpu}, {Num.Int(i.Machine.LogicalCores)} cores, gemm {i.Machine.Gemm}"),
            ("started", Stamp(i.StartedUtc)),
            ("finished", i.FinishedUtc is { } f ? $"{Stamp(f)} ({Duration((f - i.StartedUtc).TotalSeconds)})" : "not finished"),
        };
        if (i.Shard is { } s) facts.Add(("shard", $"{Num.Int(s.Index + 1)} of {Num.Int(s.Count)}"));
        return facts;
    }

    /// <summary>Timings per stage as rows (stage, id, seconds, images, ms per image).</summary>
    public static List<string[]> Timings(RunResults results) =>
        results.Info.Timings.Select(t => new[]
        {
            t.Stage, t.Id, Num.Fixed(t.Seconds, 2), Num.Int(t.Images),
            t.Images > 0 ? Num.Fixed(1000 * t.Seconds / t.Images, 1) : "n/a",
        }).ToList();

    public static readonly string[] TimingHeader = ["stage", "id", "seconds", "images", "ms/image"];

    public static string Stamp(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Num.Inv);

    public static string Duration(double seconds) =>
        seconds < 120 ? $"{Num.Fixed(seconds, 1)} s" : seconds < 7200 ? $"{Num.Fixed(seconds / 60, 1)} min" : $"{Num.Fixed(seconds / 3600, 2)} h";

    private static string Short(string s, int n) => s.Length <= n ? s : s[..n];
}
