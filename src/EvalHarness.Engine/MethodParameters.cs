using System.Globalization;

namespace EvalHarness.Engine;

/// <summary>
/// Typed access to the parameters a config gives a method or a metric (a string map); unknown or
/// malformed ones are errors that name them and what would be valid.
/// </summary>
public sealed class MethodParameters
{
    private readonly string _owner;
    private readonly string _kind;
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _asked = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="owner">The method's or metric's name, for messages.</param>
    /// <param name="values">The parameters as given (names are case-insensitive).</param>
    /// <param name="kind">"method" or "metric", for messages.</param>
    public MethodParameters(string owner, IReadOnlyDictionary<string, string>? values, string kind = "method")
    {
        _owner = owner;
        _kind = kind;
        _values = new Dictionary<string, string>(values ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>True when the config gave <paramref name="name"/> (the parameter counts as known).</summary>
    public bool Has(string name)
    {
        _asked.Add(name);
        return _values.ContainsKey(name);
    }

    public string String(string name, string fallback)
    {
        _asked.Add(name);
        return _values.TryGetValue(name, out var v) ? v : fallback;
    }

    /// <summary>One of <paramref name="valid"/> (case-insensitive, returned as listed); a miss names the nearest choices.</summary>
    public string Choice(string name, string fallback, params string[] valid)
    {
        string v = String(name, fallback).Trim();
        foreach (var option in valid)
            if (option.Equals(v, StringComparison.OrdinalIgnoreCase)) return option;
        var near = NameMatcher.Nearest(v, valid);
        throw new UnknownNameException($"Parameter '{name}' of {_kind} '{_owner}' is '{v}'." +
            (near.Count > 0 ? $" Did you mean: {string.Join(", ", near)}?" : "") + $" Valid values: {string.Join(", ", valid)}.");
    }

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        _asked.Add(name);
        if (!_values.TryGetValue(name, out var v)) return fallback;
        if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int x) || x < min || x > max)
            throw new EvalHarnessException($"Parameter '{name}' of {_kind} '{_owner}' is '{v}'; expected an integer in [{min}, {max}].");
        return x;
    }

    public double Double(string name, double fallback, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        _asked.Add(name);
        if (!_values.TryGetValue(name, out var v)) return fallback;
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !(x >= min && x <= max))
            throw new EvalHarnessException($"Parameter '{name}' of {_kind} '{_owner}' is '{v}'; expected a number in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}].");
        return x;
    }

    /// <summary>Throws when the config gave a parameter that was never asked for.</summary>
    public void EnsureAllUsed()
    {
        var unknown = _values.Keys.Where(k => !_asked.Contains(k)).ToList();
        if (unknown.Count == 0) return;
        var valid = _asked.OrderBy(x => x, StringComparer.Ordinal).ToList();
        string near = string.Join("", unknown.Select(u => NameMatcher.Nearest(u, valid) is { Count: > 0 } n ? $" ('{u}': did you mean {string.Join(", ", n)}?)" : ""));
        throw new EvalHarnessException($"The {_kind} '{_owner}' has no parameter {string.Join(", ", unknown.Select(u => $"'{u}'"))}.{near} " +
            (valid.Count == 0 ? "It takes no parameters." : $"Its parameters: {string.Join(", ", valid)}."));
    }
}
