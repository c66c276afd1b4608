namespace EvalHarness.Reports.Tests;

/// <summary>A fresh folder under the temp folder, removed on dispose; <see cref="Artifacts"/> is kept for people to look at.</summary>
internal sealed class TestFolder : IDisposable
{
    public TestFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "eh-reports-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    /// <summary>Where tests leave screenshots and sample reports: $EVALHARNESS_TEST_ARTIFACTS or artifacts/ beside the test assembly.</summary>
    public static string Artifacts(string name)
    {
        string root = Environment.GetEnvironmentVariable("EVALHARNESS_TEST_ARTIFACTS") is { Length: > 0 } env ? env : System.IO.Path.Combine(AppContext.BaseDirectory, "artifacts");
        string dir = System.IO.Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
