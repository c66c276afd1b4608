namespace EvalHarness.Engine;

/// <summary>
/// A name → entry map for catalogs: case-insensitive, throws on duplicates, and answers a miss with
/// the nearest names.
/// </summary>
public sealed class Registry<T>(string what) : System.Collections.IEnumerable
{
    private readonly Dictionary<string, T> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _order = [];

    public T this[string name]
    {
        get => Get(name);
        set => Add(name, value);
    }

    public IReadOnlyList<string> Names => _order;

    public void Add(string name, T entry)
    {
        if (!_entries.TryAdd(name, entry))
            throw new InvalidOperationException($"The {what} '{name}' is registered twice.");
        _order.Add(name);
    }

    public bool Contains(string name) => _entries.ContainsKey(name);

    public T Get(string name) =>
        _entries.TryGetValue(name.Trim(), out var entry) ? entry : throw new UnknownNameException(NameMatcher.UnknownMessage(what, name, _order));

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _entries.GetEnumerator();
}
