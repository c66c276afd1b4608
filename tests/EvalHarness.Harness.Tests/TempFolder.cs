using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Io;
using EvalHarness.Harness.Datasets;

namespace EvalHarness.Harness.Tests;

/// <summary>A temporary folder for one test's fixture files, deleted afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "evalharness-ds-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(params string[] parts)
    {
        var p = System.IO.Path.Combine([Path, .. parts]);
        Directory.CreateDirectory(p);
        return p;
    }

    public string Write(string relative, string text)
    {
        var p = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p)!);
        File.WriteAllText(p, text);
        return p;
    }

    /// <summary>A small PNG image (content: the pixel index) at <paramref name="relative"/>.</summary>
    public string Image(string relative, int width = 6, int height = 4)
    {
        var p = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p)!);
        var image = new Image(width, height);
        for (int i = 0; i < image.Pixels.Length; i++) image.Pixels[i] = (byte)(i * 7);
        Png.Write(p, image);
        return p;
    }

    public DatasetSpec Spec(string kind, params (string Key, string Value)[] fields) =>
        new(kind, fields.ToDictionary(f => f.Key, f => f.Value), Path,
            fields.Select((f, i) => (f.Key, i)).ToDictionary(x => x.Key, x => $"cfg.yaml:{x.i + 3}:5"));

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
