using System.Text;
using EvalHarness.Engine;

namespace EvalHarness.Models.Config;

/// <summary>
/// Shell-style variable references in config strings: <c>${NAME}</c> is the variable's value (an error
/// when unset), <c>${NAME:-default}</c> the value or, when it is unset or empty, the default text (as
/// POSIX sh's parameter expansion). <c>$$</c> is a literal <c>$</c>; any other <c>$</c> is kept as is.
/// Names are letters, digits and underscores, not starting with a digit.
/// </summary>
public static class EnvironmentSubstitution
{
    public static string Apply(string value) => Apply(value, Environment.GetEnvironmentVariable);

    /// <summary>Substitutes with <paramref name="lookup"/>; a malformed reference or an unset variable without default throws.</summary>
    public static string Apply(string value, Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(lookup);
        if (!value.Contains('$')) return value;
        var sb = new StringBuilder(value.Length);
        int i = 0;
        while (i < value.Length)
        {
            char c = value[i];
            if (c != '$' || i + 1 >= value.Length)
            {
                sb.Append(c);
                i++;
                continue;
            }
            if (value[i + 1] == '$')
            {
                sb.Append('$');
                i += 2;
                continue;
            }
            if (value[i + 1] != '{')
            {
                sb.Append(c);
                i++;
                continue;
            }
            int close = value.IndexOf('}', i + 2);
            if (close < 0)
                throw new EvalHarnessException($"'{value}' has an unterminated variable reference at '{value[i..]}'; write ${{NAME}} or ${{NAME:-default}}.");
            string body = value[(i + 2)..close];
            int sep = body.IndexOf(":-", StringComparison.Ordinal);
            string name = sep < 0 ? body : body[..sep];
            string? fallback = sep < 0 ? null : body[(sep + 2)..];
            if (!IsName(name))
                throw new EvalHarnessException($"'{value}' refers to the variable '{name}', which is not a valid name (letters, digits and _, " +
                    "not starting with a digit); write ${NAME} or ${NAME:-default}.");
            string? env = lookup(name);
            if (string.IsNullOrEmpty(env))
            {
                if (fallback is null)
                    throw new EvalHarnessException($"the environment variable {name} is not set ('{value}'); set it, or give a default with ${{{name}:-default}}.");
                env = fallback;
            }
            sb.Append(env);
            i = close + 1;
        }
        return sb.ToString();
    }

    private static bool IsName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0])) return false;
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        return true;
    }
}
