namespace EvalHarness.Harness.Config;

/// <summary>
/// A node of a config document after includes are merged: a scalar, a list or a mapping, each knowing
/// the file, line and column it was written at (nodes of a merged document come from several files).
/// </summary>
public abstract class ConfigNode(ConfigLocation location)
{
    public ConfigLocation Location { get; } = location;

    /// <summary>"'value'", "a list of 3 items" or "a mapping", for messages.</summary>
    public abstract string Describe();
}
