using System.Numerics;

namespace EvalHarness.Engine.Io.Pickle;

/// <summary>
/// Equality of Python dict keys for the hashable values the unpickler produces: None, bool, int, float,
/// str, bytes and tuples of those. Anything else is unhashable, as in Python.
/// </summary>
internal sealed class PickleKeyComparer : IEqualityComparer<object>
{
    public static readonly PickleKeyComparer Instance = new();

    public static void EnsureHashable(object? key)
    {
        switch (key)
        {
            case null or bool or long or BigInteger or double or string or byte[] or PickleGlobal:
                return;
            case PickleTuple t:
                foreach (var item in t.Items) EnsureHashable(item);
                return;
            default:
                throw new PickleException($"a dict key is {SafeUnpickler.Describe(key)}, which is not hashable");
        }
    }

    public new bool Equals(object? x, object? y) => (x, y) switch
    {
        (null, null) => true,
        (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
        (long a, long b) => a == b,
        (BigInteger a, BigInteger b) => a == b,
        (bool a, bool b) => a == b,
        (double a, double b) => a.Equals(b),
        (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
        (PickleGlobal a, PickleGlobal b) => a == b,
        (PickleTuple a, PickleTuple b) => TupleEquals(a, b),
        _ => false,
    };

    public int GetHashCode(object obj) => obj switch
    {
        string s => StringComparer.Ordinal.GetHashCode(s),
        byte[] b => b.Length,
        PickleTuple t => TupleHash(t),
        _ => obj.GetHashCode(),
    };

    private bool TupleEquals(PickleTuple a, PickleTuple b)
    {
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++)
            if (!Equals(a[i], b[i])) return false;
        return true;
    }

    private int TupleHash(PickleTuple t)
    {
        var h = new HashCode();
        h.Add(t.Count);
        foreach (var item in t.Items) h.Add(item is null ? 0 : GetHashCode(item));
        return h.ToHashCode();
    }
}
