namespace EvalHarness.Harness.Config;

/// <summary>A YAML sequence.</summary>
public sealed class ConfigList(ConfigLocation location, IReadOnlyList<ConfigNode> items) : ConfigNode(location)
{
    public IReadOnlyList<ConfigNode> Items { get; } = items;

    public override string Describe() => $"a list of {Items.Count} item{(Items.Count == 1 ? "" : "s")}";
}
