using EvalHarness.Engine.Io;

namespace EvalHarness.Engine.Tests.Io;

/// <summary>Paths of the image/NPY fixtures (tests/fixtures/io, written by tests/fixtures/gen_io.py) and small comparison helpers.</summary>
internal static class IoFixtures
{
    public static string Path(params string[] parts) => EvalHarness.Tests.Common.TestPaths.Fixture(["io", .. parts]);

    /// <summary>The shared folder: EVALHARNESS_SHARED, else ../shared beside the checkout; null when absent.</summary>
    public static string? Shared => EvalHarness.Tests.Common.TestPaths.Shared;

    /// <summary>An H×W×3 uint8 .npy as bytes, checked for shape.</summary>
    public static byte[] ReadRgb(string path, int width, int height)
    {
        var a = Npy.Read(path);
        Assert.Equal("|u1", a.DType);
        Assert.Equal(new[] { height, width, 3 }, a.Shape);
        return (byte[])a.Data;
    }

    public static int MaxAbsDiff(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Assert.Equal(a.Length, b.Length);
        int max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    public static int CountDifferent(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        int n = 0;
        for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) n++;
        return n;
    }

    /// <summary>Runs <paramref name="action"/> on a temporary file holding <paramref name="contents"/>, then deletes it.</summary>
    public static T WithTempFile<T>(byte[] contents, Func<string, T> action, string extension = ".bin")
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"evalharness-io-{Guid.NewGuid():N}{extension}");
        File.WriteAllBytes(path, contents);
        try
        {
            return action(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The exception <paramref name="read"/> throws for a temporary file holding <paramref name="contents"/>; its message must name the file.</summary>
    public static FileFormatException FormatError(byte[] contents, Func<string, object> read, string extension = ".bin") =>
        WithTempFile(contents, path =>
        {
            var e = Assert.Throws<FileFormatException>(() => read(path));
            Assert.Equal(path, e.Path);
            Assert.StartsWith(path + ": ", e.Message);
            return e;
        }, extension);
}
