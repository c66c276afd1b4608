using EvalHarness.Engine;

namespace EvalHarness.Harness.Config;

/// <summary>
/// A run config that cannot be used: "file:line:column: field: problem", the problem naming the bad
/// value and what would be valid (the same shape as a model config's errors).
/// </summary>
public sealed class ConfigException : EvalHarnessException
{
    public ConfigException(ConfigLocation location, string? field, string problem)
        : base(field is null ? $"{location}: {problem}" : $"{location}: {field}: {problem}")
    {
        Location = location;
        Field = field;
        Problem = problem;
    }

    public ConfigLocation Location { get; }

    /// <summary>Dotted field path, e.g. "methods[1].params.steps"; null for the document as a whole.</summary>
    public string? Field { get; }

    public string Problem { get; }
}
