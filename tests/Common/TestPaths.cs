namespace EvalHarness.Tests.Common;

/// <summary>Locates the repository's fixtures and the optional shared material beside the checkout.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "EvalHarness.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"EvalHarness.sln not found above {AppContext.BaseDirectory}.");
    });

    public static string RepoRoot => Root.Value;

    public static string Fixtures => Path.Combine(RepoRoot, "tests", "fixtures");

    public static string Fixture(params string[] parts) => Path.Combine([Fixtures, .. parts]);

    /// <summary>The shared folder: EVALHARNESS_SHARED, else ../shared beside the checkout; null when absent.</summary>
    public static string? Shared
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("EVALHARNESS_SHARED");
            if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? env : null;
            var beside = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
            return Directory.Exists(beside) ? beside : null;
        }
    }

    /// <summary>A path inside the shared folder, or null (with the reason) when it is not there.</summary>
    public static string? SharedFile(string relative, out string reason)
    {
        var shared = Shared;
        if (shared is null)
        {
            reason = "the shared folder (../shared beside the checkout, or EVALHARNESS_SHARED) is absent";
            return null;
        }
        var path = Path.Combine(shared, relative);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            reason = $"{path} is absent";
            return null;
        }
        reason = "";
        return path;
    }
}
