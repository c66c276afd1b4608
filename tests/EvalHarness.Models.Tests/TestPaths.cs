namespace EvalHarness.Models.Tests;

/// <summary>Locates the repository's test fixtures and the optional shared material.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>The repository root: the nearest ancestor of the test binaries holding tests/fixtures.</summary>
    public static string RepositoryRoot => Root.Value;

    public static string Fixture(params string[] parts) => Path.Combine([RepositoryRoot, "tests", "fixtures", .. parts]);

    /// <summary>
    /// The shared material directory: $EVALHARNESS_SHARED, else a "shared" directory next to the
    /// repository root or next to one of its ancestors (worktrees live below the main checkout's parent).
    /// Null when there is none.
    /// </summary>
    public static string? SharedDirectory()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("EVALHARNESS_SHARED");
        if (!string.IsNullOrEmpty(fromEnvironment)) return Directory.Exists(fromEnvironment) ? fromEnvironment : null;
        for (var dir = Directory.GetParent(RepositoryRoot); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "tests", "fixtures")) && Directory.Exists(Path.Combine(dir.FullName, "src")))
                return dir.FullName;
        throw new InvalidOperationException($"No repository root (a directory with src/ and tests/fixtures/) above {AppContext.BaseDirectory}.");
    }
}
