namespace EvalHarness.Engine.Tests.Io;

/// <summary>Paths of the checkpoints tests/fixtures/gen_pth.py writes, found by walking up from the test binaries.</summary>
internal static class PthFixtures
{
    private static readonly Lazy<string> Root = new(() => EvalHarness.Tests.Common.TestPaths.Fixture("pth"));

    public static string File(string name) => Path.Combine(Root.Value, name);

    public static string Expected(string fixture, string tensor) => Path.Combine(Root.Value, "expected", fixture, tensor + ".npy");

    /// <summary>Tensor names of an expected-values folder (any order).</summary>
    public static IEnumerable<string> ExpectedNames(string fixture) =>
        Directory.EnumerateFiles(Path.Combine(Root.Value, "expected", fixture), "*.npy").Select(f => Path.GetFileNameWithoutExtension(f));
}
