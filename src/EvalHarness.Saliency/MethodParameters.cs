using System.Globalization;
using EvalHarness.Engine;

namespace EvalHarness.Saliency;

/// <summary>Typed access to a method's parameters from a config; unknown or malformed ones are errors that name them.</summary>
public sealed class MethodParameters
{
    private readonly string _method;
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _asked = new(StringComparer.OrdinalIgnoreCase);

    public MethodParameters(string method, IReadOnlyDictionary<string, string>? values)
    {
        _method = method;
        _values = new Dictionary<string, string>(values ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
    }

    public string String(string name, string fallback)
    {
        _asked.Add(name);
        return _values.TryGetValue(name, out var v) ? v : fallback;
    }

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        _asked.Add(name);
        if (!_values.TryGetValue(name, out var v)) return fallback;
        if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int x) || x < min || x > max)
            throw new EvalHarnessException($"Parameter '{name}' of method '{_method}' is '{v}'; expected an integer in [{min}, {max}].");
        return x;
    }

    public double Double(string name, double fallback, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        _asked.Add(name);
        if (!_values.TryGetValue(name, out var v)) return fallback;
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !(x >= min && x <= max))
            throw new EvalHarnessException($"Parameter '{name}' of method '{_method}' is '{v}'; expected a number in [{min}, {max}].");
        return x;
    }

    /// <summary>Throws when the config gave a parameter the method never asked for.</summary>
    public void EnsureAllUsed()
    {
        var unknown = _values.Keys.Where(k => !_asked.Contains(k)).ToList();
        if (unknown.Count == 0) return;
        var valid = _asked.OrderBy(x => x, StringComparer.Ordinal).ToList();
        throw new EvalHarnessException($"Method '{_method}' has no parameter {string.Join(", ", unknown.Select(u => $"'{u}'"))}. " +
            (valid.Count == 0 ? "It takes no parameters." : $"Its parameters: {string.Join(", ", valid)}."));
    }
}
