using EvalHarness.Engine;

namespace EvalHarness.Harness.Running;

/// <summary>
/// A run stopped after its result store was opened: the images finished so far are kept in the store, so
/// the message ends with the command that continues the run once the cause is fixed.
/// </summary>
public sealed class RunFailedException : EvalHarnessException
{
    public RunFailedException(string problem, string directory, string resumeCommand, Exception inner)
        : base($"{problem.TrimEnd().TrimEnd('.')}. Every image finished so far is kept in {directory}; once the cause is fixed, continue with '{resumeCommand}'.", inner)
    {
        Directory = directory;
        ResumeCommand = resumeCommand;
    }

    /// <summary>The results folder that holds the finished images.</summary>
    public string Directory { get; }

    /// <summary>The command that continues the run.</summary>
    public string ResumeCommand { get; }
}
