using System.Globalization;
using EvalHarness.Engine;

namespace EvalHarness.Reports.Compare;

/// <summary>
/// How much worse a value may get before it counts as a regression: absolute ("deletion=0.01") or relative to
/// the baseline mean ("insertion=5%"). Keys are "metric.value", "metric" or "*" (most specific wins); the default
/// is 0, so any worsening counts.
/// </summary>
public sealed class Tolerances
{
    private readonly Dictionary<string, (double Amount, bool Relative)> _byKey = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> Keys => _byKey.Keys;

    /// <summary>Parses "key=value" pairs; a bad pair is a user error naming it.</summary>
    public static Tolerances Parse(IEnumerable<string> pairs)
    {
        var t = new Tolerances();
        foreach (var pair in pairs)
        {
            int eq = pair.LastIndexOf('=');
            if (eq <= 0 || eq == pair.Length - 1)
                throw new EvalHarnessException($"--tolerance '{pair}' is not metric=value (e.g. --tolerance deletion=0.01, insertion.auc=5%, *=0.001).");
            string key = pair[..eq].Trim(), text = pair[(eq + 1)..].Trim();
            bool relative = text.EndsWith('%');
            if (relative) text = text[..^1];
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double amount) || !(amount >= 0) || double.IsInfinity(amount))
                throw new EvalHarnessException($"--tolerance '{pair}': '{pair[(eq + 1)..].Trim()}' is not a non-negative number (a '.' decimal point, optionally followed by %).");
            if (!t._byKey.TryAdd(key, (relative ? amount / 100 : amount, relative)))
                throw new EvalHarnessException($"--tolerance for '{key}' is given twice.");
        }
        return t;
    }

    /// <summary>Throws when a key names no metric and no metric.value of either run (with the nearest names).</summary>
    public void CheckKeys(IReadOnlyCollection<string> known)
    {
        foreach (var key in _byKey.Keys)
            if (key != "*" && !known.Contains(key, StringComparer.OrdinalIgnoreCase))
                throw new UnknownNameException(NameMatcher.UnknownMessage("--tolerance metric", key, known));
    }

    /// <summary>The allowed worsening for <paramref name="metric"/>.<paramref name="valueName"/> at a baseline mean of <paramref name="baseline"/>.</summary>
    public double For(string metric, string valueName, double baseline)
    {
        if (!_byKey.TryGetValue(metric + "." + valueName, out var t) && !_byKey.TryGetValue(metric, out t) && !_byKey.TryGetValue("*", out t))
            return 0;
        return t.Relative ? t.Amount * Math.Abs(baseline) : t.Amount;
    }

    /// <summary>The text of the tolerance that applies ("0.01", "5%", "0").</summary>
    public string Describe(string metric, string valueName)
    {
        if (!_byKey.TryGetValue(metric + "." + valueName, out var t) && !_byKey.TryGetValue(metric, out t) && !_byKey.TryGetValue("*", out t))
            return "0";
        return t.Relative ? (t.Amount * 100).ToString("0.####", CultureInfo.InvariantCulture) + "%" : t.Amount.ToString("0.######", CultureInfo.InvariantCulture);
    }
}
