namespace EvalHarness.Engine.Io.Pickle;

/// <summary>A Python dict (or OrderedDict): keys keep their insertion order, re-setting a key keeps its place.</summary>
internal sealed class PickleDict
{
    private readonly List<KeyValuePair<object?, object?>> _items = [];
    private readonly Dictionary<object, int> _index = new(PickleKeyComparer.Instance);
    private int _noneIndex = -1;

    public int Count => _items.Count;

    public IReadOnlyList<KeyValuePair<object?, object?>> Items => _items;

    /// <summary>Attributes set by BUILD (an OrderedDict state dict carries "_metadata" this way); kept, never interpreted.</summary>
    public object? State { get; set; }

    public void Set(object? key, object? value)
    {
        PickleKeyComparer.EnsureHashable(key);
        if (key is null)
        {
            if (_noneIndex >= 0) _items[_noneIndex] = new(null, value);
            else { _noneIndex = _items.Count; _items.Add(new(null, value)); }
            return;
        }
        if (_index.TryGetValue(key, out int at))
        {
            _items[at] = new(_items[at].Key, value);
            return;
        }
        _index.Add(key, _items.Count);
        _items.Add(new(key, value));
    }

    public bool TryGet(object key, out object? value)
    {
        if (_index.TryGetValue(key, out int at))
        {
            value = _items[at].Value;
            return true;
        }
        value = null;
        return false;
    }

    public override string ToString() => $"a dict of {Count}";
}
