namespace EvalHarness.Cli.Tests;

/// <summary>One in-process run of the command line.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static CliRun Of(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Asserts success and returns the run.</summary>
    public CliRun Ok()
    {
        Assert.True(ExitCode == 0, $"exit code {ExitCode}; stderr: {Error}");
        return this;
    }

    /// <summary>As <see cref="UserError"/> for an error met after a run started: its progress lines may be on stdout.</summary>
    public CliRun UserErrorDuringRun(params string[] fragments) => (this with { Output = "" }).UserError(fragments);

    /// <summary>Asserts a user error: exit code 2, one "error: " line on stderr containing every fragment, no stack trace, nothing on stdout.</summary>
    public CliRun UserError(params string[] fragments)
    {
        Assert.True(ExitCode == 2, $"exit code {ExitCode}; stdout: {Output}; stderr: {Error}");
        var lines = Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("note: ", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count == 1, $"expected one error line, got: {Error}");
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain("   at ", Error);
        Assert.DoesNotContain("Exception", Error);
        foreach (var f in fragments) Assert.Contains(f, lines[0]);
        Assert.Equal("", Output);
        return this;
    }
}
