using EvalHarness.Tests.Common;
using YamlDotNet.RepresentationModel;

namespace EvalHarness.Cli.Tests.Runs;

/// <summary>The deployment templates parse and use the CLI the way it works: the shard from the scheduler's index, resume, merge.</summary>
public sealed class DeployTemplateTests
{
    private static string Deploy(params string[] parts) => Path.Combine([TestPaths.RepoRoot, "deploy", .. parts]);

    private static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(file);
        stream.Load(reader);
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }

    private static YamlNode At(YamlNode node, params string[] path)
    {
        foreach (var key in path)
            node = node is YamlSequenceNode seq ? seq[int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)] : ((YamlMappingNode)node)[key];
        return node;
    }

    private static string S(YamlNode node, params string[] path) => ((YamlScalarNode)At(node, path)).Value!;

    [Fact]
    public void The_indexed_job_runs_one_resumable_shard_per_index_with_a_matching_count()
    {
        var job = Load(Deploy("kubernetes", "indexed-job.yaml"));
        Assert.Equal("batch/v1", S(job, "apiVersion"));
        Assert.Equal("Job", S(job, "kind"));
        Assert.Equal("Indexed", S(job, "spec", "completionMode"));
        string completions = S(job, "spec", "completions");
        var container = At(job, "spec", "template", "spec", "containers", "0");
        var args = ((YamlSequenceNode)At(container, "args")).Select(a => ((YamlScalarNode)a).Value).ToList();
        Assert.Equal("run", args[0]);
        Assert.Contains("--resume", args);
        var env = ((YamlSequenceNode)At(container, "env")).Cast<YamlMappingNode>().ToDictionary(e => S(e, "name"), e => S(e, "value"));
        Assert.Equal(completions, env["EVALHARNESS_SHARD_COUNT"]);
        Assert.Equal("Never", S(job, "spec", "template", "spec", "restartPolicy"));
        string mount = S(container, "volumeMounts", "0", "mountPath");
        Assert.StartsWith(mount, S(container, "workingDir"));
        Assert.Equal(S(container, "volumeMounts", "0", "name"), S(job, "spec", "template", "spec", "volumes", "0", "name"));
    }

    [Fact]
    public void The_merge_job_merges_the_shard_folders()
    {
        var job = Load(Deploy("kubernetes", "merge-job.yaml"));
        Assert.Equal("Job", S(job, "kind"));
        var args = ((YamlSequenceNode)At(job, "spec", "template", "spec", "containers", "0", "args")).Select(a => ((YamlScalarNode)a).Value).ToList();
        Assert.Equal("merge", args[0]);
        Assert.Contains("--out", args);
    }

    [Fact]
    public void The_slurm_scripts_run_an_array_of_resumable_shards_then_merge_after_it()
    {
        string array = File.ReadAllText(Deploy("slurm", "array.sbatch"));
        Assert.StartsWith("#!/usr/bin/env bash", array);
        Assert.Contains("--array=0-", array);
        Assert.Matches(@"(?m)^exec dotnet ""\$cli"" run ""\$config"" --resume", array);
        Assert.Matches(@"(?m)^#SBATCH --cpus-per-task=\d+", array);
        string merge = File.ReadAllText(Deploy("slurm", "merge.sbatch"));
        Assert.Contains("--dependency=afterok", array + merge);
        Assert.Matches(@"(?m)^exec dotnet ""\$cli"" merge ", merge);
    }

    [Fact]
    public void The_dockerfile_publishes_the_cli_on_the_runtime_image_with_its_native_libraries()
    {
        var lines = File.ReadAllLines(Deploy("Dockerfile"));
        var from = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, from.Count);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0", from[0]);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/runtime:10.0", from[1]);
        string text = string.Join("\n", lines);
        Assert.Contains("libopenblas0-pthread", text);
        Assert.Contains("libturbojpeg0", text);
        Assert.Contains("dotnet publish src/EvalHarness.Cli", text);
        Assert.Contains("evalharness.dll", text);
    }
}
