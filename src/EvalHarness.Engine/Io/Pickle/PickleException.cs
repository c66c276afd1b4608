namespace EvalHarness.Engine.Io.Pickle;

/// <summary>
/// A pickle that is malformed or asks for something the safe unpickler refuses. The reader of the file
/// that holds the pickle turns it into a <see cref="FileFormatException"/> naming that file.
/// </summary>
internal sealed class PickleException(string problem) : Exception(problem)
{
    /// <summary>True when the pickle is well formed but references code that will not be run.</summary>
    public bool IsRefusal { get; init; }
}
