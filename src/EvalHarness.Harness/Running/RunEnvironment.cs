using System.Diagnostics;
using System.Runtime.InteropServices;
using EvalHarness.Engine.Gemm;
using EvalHarness.Reports.Results;

namespace EvalHarness.Harness.Running;

/// <summary>Facts about the machine and the EvalHarness checkout, for run.json.</summary>
public static class RunEnvironment
{
    public static string Version => typeof(RunEnvironment).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static MachineInfo Machine() => new(
        RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, Cpu(), Environment.ProcessorCount, GemmProvider.Current.Name);

    /// <summary>HEAD's commit and whether tracked files changed, from the git checkout holding the executable, else the current folder; nulls without git.</summary>
    public static (string? Commit, bool? Dirty) Git()
    {
        foreach (var dir in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            var commit = RunGit(dir, "rev-parse HEAD");
            if (commit is { Length: 40 })
                return (commit, RunGit(dir, "status --porcelain --untracked-files=no") is { } status ? status.Length > 0 : null);
        }
        return (null, null);
    }

    private static string? RunGit(string dir, string args)
    {
        try
        {
            var psi = new ProcessStartInfo("git", $"-C \"{dir}\" {args}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var p = Process.Start(psi);
            if (p is null) return null;
            string output = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(10_000)) return null;
            return p.ExitCode == 0 ? output.Trim() : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
    }

    private static string Cpu()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int i and > 0)
                        return line[(i + 1)..].Trim();
        }
        catch (IOException)
        {
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
