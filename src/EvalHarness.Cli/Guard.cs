using EvalHarness.Engine;

namespace EvalHarness.Cli;

/// <summary>Turns user mistakes into one clear line on stderr (no stack trace) and an exit code.</summary>
internal static class Guard
{
    public const int UserError = 2;
    public const int InternalError = 70;

    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (EvalHarnessException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return UserError;
        }
        catch (FileNotFoundException e)
        {
            Console.Error.WriteLine($"error: file not found: {e.FileName ?? e.Message}");
            return UserError;
        }
        catch (DirectoryNotFoundException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return UserError;
        }
        catch (UnauthorizedAccessException e)
        {
            Console.Error.WriteLine($"error: permission denied: {e.Message}");
            return UserError;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("EVALHARNESS_DEBUG") != "1")
        {
            Console.Error.WriteLine($"internal error ({e.GetType().Name}): {e.Message}");
            Console.Error.WriteLine("This is a bug in EvalHarness; run with EVALHARNESS_DEBUG=1 for the stack trace.");
            return InternalError;
        }
    }
}
