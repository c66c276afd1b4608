namespace EvalHarness.Engine.Io.Pickle;

/// <summary>
/// Decides what the globals, calls and persistent ids of a pickle mean. The unpickler itself knows only
/// plain data; everything else goes through here, so an implementation is the whole allow-list.
/// Implementations throw <see cref="PickleException"/> to refuse.
/// </summary>
internal interface IPickleResolver
{
    /// <summary>GLOBAL / STACK_GLOBAL: the object a module.name reference stands for.</summary>
    object ResolveGlobal(string module, string name);

    /// <summary>REDUCE: callable(*args) for a callable that <see cref="ResolveGlobal"/> returned.</summary>
    object? Reduce(object? callable, PickleTuple args);

    /// <summary>NEWOBJ: cls.__new__(cls, *args).</summary>
    object? NewObject(object? cls, PickleTuple args);

    /// <summary>BUILD: sets <paramref name="state"/> on <paramref name="target"/> in place.</summary>
    void Build(object? target, object? state);

    /// <summary>BINPERSID: the object an out-of-band id refers to.</summary>
    object? PersistentLoad(object? persistentId);
}
