namespace EvalHarness.Engine.Io.Pickle;

/// <summary>An immutable Python tuple; equality is structural so tuples can be dict keys.</summary>
internal sealed class PickleTuple
{
    /// <summary>Tuples nest no deeper than this, so hashing and comparing them cannot exhaust the stack.</summary>
    public const int MaxDepth = 256;

    public static readonly PickleTuple Empty = new([]);

    private readonly object?[] _items;

    public PickleTuple(object?[] items)
    {
        _items = items;
        int depth = 1;
        foreach (var item in items)
            if (item is PickleTuple t) depth = Math.Max(depth, t.Depth + 1);
        if (depth > MaxDepth) throw new PickleException($"tuples are nested more than {MaxDepth} levels deep");
        Depth = depth;
    }

    public int Count => _items.Length;

    public int Depth { get; }

    public object? this[int index] => _items[index];

    public ReadOnlySpan<object?> Items => _items;

    public override string ToString() => $"a tuple of {Count}";
}
