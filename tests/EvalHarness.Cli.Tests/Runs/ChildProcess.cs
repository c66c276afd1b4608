using System.Diagnostics;

namespace EvalHarness.Cli.Tests.Runs;

/// <summary>The CLI (or any program) as a separate process, for what an in-process run cannot show: kills, environment, a clean clone.</summary>
internal static class ChildProcess
{
    /// <summary>The evalharness.dll built beside the tests (the test project references the CLI).</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "evalharness.dll");

    public static ProcessStartInfo Cli(string workingDirectory, params string[] args)
    {
        var start = Info("dotnet", workingDirectory);
        start.ArgumentList.Add(CliDll);
        foreach (var a in args) start.ArgumentList.Add(a);
        return start;
    }

    public static ProcessStartInfo Info(string file, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        return start;
    }

    /// <summary>Runs to the end (killed after <paramref name="timeout"/>) and returns exit code, stdout and stderr.</summary>
    public static (int ExitCode, string Output, string Error) Run(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}; stderr: {stderr.Result}");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs to the end and asserts exit code 0; returns stdout.</summary>
    public static string Ok(ProcessStartInfo start, TimeSpan timeout)
    {
        var (code, output, error) = Run(start, timeout);
        Assert.True(code == 0, $"{start.FileName} {string.Join(' ', start.ArgumentList)} exited with {code}:\n{output}\n{error}");
        return output;
    }
}
