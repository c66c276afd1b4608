using System.Security.Cryptography;
using System.Text;

namespace EvalHarness.Harness;

/// <summary>Canonical text of plan parts for hashes and cache keys.</summary>
internal static class PlanText
{
    /// <summary>name=value pairs sorted by lower-case name, joined with '&amp;' (values escaped).</summary>
    public static string Parameters(IReadOnlyDictionary<string, string> parameters) =>
        string.Join("&", parameters.OrderBy(p => p.Key.ToLowerInvariant(), StringComparer.Ordinal)
            .Select(p => Uri.EscapeDataString(p.Key.ToLowerInvariant()) + "=" + Uri.EscapeDataString(p.Value)));

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static string Sha256File(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
