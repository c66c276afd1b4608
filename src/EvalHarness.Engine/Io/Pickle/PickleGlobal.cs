namespace EvalHarness.Engine.Io.Pickle;

/// <summary>A reference to a Python global (module.name) that a resolver allowed.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => Module + "." + Name;

    public override string ToString() => FullName;
}
