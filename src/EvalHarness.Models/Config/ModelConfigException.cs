using EvalHarness.Engine;

namespace EvalHarness.Models.Config;

/// <summary>
/// A model config that cannot be used. The message is "file:line:column: field: problem", the problem
/// naming the bad value and what would be valid.
/// </summary>
public sealed class ModelConfigException : EvalHarnessException
{
    public ModelConfigException(string file, int line, int column, string? field, string problem)
        : base(Format(file, line, column, field, problem))
    {
        File = file;
        Line = line;
        Column = column;
        Field = field;
        Problem = problem;
    }

    /// <summary>The config file as given (or a name standing for it).</summary>
    public string File { get; }

    /// <summary>1-based line of the offending node; 0 when the problem concerns the whole file.</summary>
    public int Line { get; }

    /// <summary>1-based column of the offending node; 0 when the problem concerns the whole file.</summary>
    public int Column { get; }

    /// <summary>Dotted field path, e.g. "preprocessing.channel_order"; null for the document as a whole.</summary>
    public string? Field { get; }

    public string Problem { get; }

    private static string Format(string file, int line, int column, string? field, string problem)
    {
        string where = line > 0 ? $"{file}:{line}:{column}" : file;
        return field is null ? $"{where}: {problem}" : $"{where}: {field}: {problem}";
    }
}
