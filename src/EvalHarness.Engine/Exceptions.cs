namespace EvalHarness.Engine;

/// <summary>Base of every error EvalHarness raises for a user mistake: the message is the whole story.</summary>
public class EvalHarnessException : Exception
{
    public EvalHarnessException(string message) : base(message) { }

    public EvalHarnessException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A tensor of the wrong shape reached an operation.</summary>
public sealed class ShapeException(string message) : EvalHarnessException(message);

/// <summary>A NaN or infinity where finite values are required.</summary>
public sealed class NonFiniteException(string message) : EvalHarnessException(message);

/// <summary>A name (layer, architecture, method, ...) that is not known; the message lists near misses.</summary>
public sealed class UnknownNameException(string message) : EvalHarnessException(message);

/// <summary>A file that is missing, truncated or not of the expected format.</summary>
public sealed class FileFormatException : EvalHarnessException
{
    public FileFormatException(string path, string problem) : base($"{path}: {problem}") => Path = path;

    public FileFormatException(string path, string problem, Exception inner) : base($"{path}: {problem}", inner) => Path = path;

    public string Path { get; }
}
