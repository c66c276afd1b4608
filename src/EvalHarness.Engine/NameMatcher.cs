namespace EvalHarness.Engine;

/// <summary>Finds the valid names nearest to a miss, for "did you mean" messages.</summary>
public static class NameMatcher
{
    public static IReadOnlyList<string> Nearest(string name, IEnumerable<string> candidates, int max = 3)
    {
        var lower = name.ToLowerInvariant();
        return candidates
            .Select(c => (Name: c, Score: Score(lower, c.ToLowerInvariant())))
            .Where(x => x.Score <= Math.Max(2, x.Name.Length / 2) || x.Name.Contains(name, StringComparison.OrdinalIgnoreCase))
            .OrderBy(x => x.Score).ThenBy(x => x.Name, StringComparer.Ordinal)
            .Take(max)
            .Select(x => x.Name)
            .ToList();
    }

    /// <summary>"Unknown layer 'x'. Did you mean: a, b? Valid: ..." with at most <paramref name="listMax"/> names listed.</summary>
    public static string UnknownMessage(string what, string name, IReadOnlyCollection<string> valid, int listMax = 40)
    {
        var near = Nearest(name, valid);
        var msg = $"Unknown {what} '{name}'.";
        if (near.Count > 0) msg += $" Did you mean: {string.Join(", ", near)}?";
        var shown = valid.Take(listMax).ToList();
        msg += $" Valid {what}s: {string.Join(", ", shown)}{(valid.Count > listMax ? $", … ({valid.Count} in all)" : "")}.";
        return msg;
    }

    private static int Score(string a, string b)
    {
        if (b.StartsWith(a, StringComparison.Ordinal) || a.StartsWith(b, StringComparison.Ordinal)) return Math.Abs(a.Length - b.Length) / 2;
        return Levenshtein(a, b);
    }

    public static int Levenshtein(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
