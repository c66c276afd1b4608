namespace EvalHarness.Harness.Config;

/// <summary>A scalar as written (before ${ENV} substitution); <see cref="IsNull"/> for ~, null or an empty plain value.</summary>
public sealed class ConfigScalar(ConfigLocation location, string? value, bool quoted) : ConfigNode(location)
{
    public string? Value { get; } = value;

    /// <summary>True when written in quotes (a quoted "null" is the text null).</summary>
    public bool Quoted { get; } = quoted;

    public bool IsNull => !Quoted && Value is null or "" or "~" or "null" or "Null" or "NULL";

    public override string Describe() => IsNull ? "null" : $"'{Value}'";
}
