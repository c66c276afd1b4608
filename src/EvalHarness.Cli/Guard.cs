using EvalHarness.Engine;

namespace EvalHarness.Cli;

/// <summary>Turns user mistakes into one clear line on stderr (no stack trace) and an exit code.</summary>
internal static class Guard
{
    public const int UserError = 2;
    public const int InternalError = 70;

    public static int Run(TextWriter error, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (EvalHarnessException e)
        {
            int code = Fail(error, e.Message);
            // A user's .NET method that failed is wrapped with its exception: its stack trace helps whoever wrote it.
            if (e.InnerException is { } inner && Debug) error.WriteLine(inner.ToString());
            return code;
        }
        catch (FileNotFoundException e)
        {
            return Fail(error, $"file not found: {e.FileName ?? e.Message}");
        }
        catch (DirectoryNotFoundException e)
        {
            return Fail(error, e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            return Fail(error, $"permission denied: {e.Message}");
        }
        catch (IOException e)
        {
            return Fail(error, $"input/output error: {e.Message}");
        }
        catch (Exception e) when (!Debug)
        {
            error.WriteLine($"internal error ({e.GetType().Name}): {OneLine(e.Message)}");
            error.WriteLine("This is a bug in EvalHarness; run with EVALHARNESS_DEBUG=1 for the stack trace.");
            return InternalError;
        }
    }

    /// <summary>EVALHARNESS_DEBUG=1: stack traces of internal errors and of the exceptions behind user errors.</summary>
    private static bool Debug => Environment.GetEnvironmentVariable("EVALHARNESS_DEBUG") == "1";

    /// <summary>Writes "error: message" on one line (inner line breaks become "; ") and returns <see cref="UserError"/>.</summary>
    public static int Fail(TextWriter error, string message)
    {
        error.WriteLine($"error: {OneLine(message)}");
        return UserError;
    }

    private static string OneLine(string message) =>
        string.Join("; ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
