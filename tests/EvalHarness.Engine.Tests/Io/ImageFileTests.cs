using EvalHarness.Engine.Io;

namespace EvalHarness.Engine.Tests.Io;

public class ImageFileTests
{
    [Fact]
    public void Sniffs_content_not_extension()
    {
        var png = File.ReadAllBytes(IoFixtures.Path("png", "rgb8.png"));
        var fromJpegName = IoFixtures.WithTempFile(png, ImageFile.Read, ".jpg");
        Assert.Equal(Png.Read(IoFixtures.Path("png", "rgb8.png")).Pixels, fromJpegName.Pixels);
        var bmp = File.ReadAllBytes(IoFixtures.Path("bmp", "rgb32.bmp"));
        Assert.Equal(37, IoFixtures.WithTempFile(bmp, ImageFile.Read, ".png").Width);
        var ppm = File.ReadAllBytes(IoFixtures.Path("ppm", "p6_255.ppm"));
        Assert.Equal(23, IoFixtures.WithTempFile(ppm, ImageFile.Read, "").Height);
    }

    [Fact]
    public void Unknown_formats_name_the_file_and_the_supported_formats()
    {
        var text = IoFixtures.FormatError("hello, this is a text file\n"u8.ToArray(), ImageFile.Read, ".jpg");
        Assert.Contains("not a supported image format (looks like text", text.Message);
        Assert.Contains(ImageFile.SupportedFormats, text.Message);
        var gif = IoFixtures.FormatError("GIF89a\x01\0\x01\0"u8.ToArray(), ImageFile.Read, ".gif");
        Assert.Contains("looks like GIF", gif.Message);
        var npy = IoFixtures.FormatError(File.ReadAllBytes(IoFixtures.Path("npy", "u1_4x3.npy")), ImageFile.Read);
        Assert.Contains("NumPy", npy.Message);
        var binary = IoFixtures.FormatError([0, 1, 2, 3, 250, 251], ImageFile.Read);
        Assert.Contains("unrecognised signature; first bytes 00010203FAFB", binary.Message);
    }

    [Fact]
    public void Empty_file_is_refused()
    {
        var e = IoFixtures.FormatError([], ImageFile.Read, ".png");
        Assert.Contains("the file is empty (0 bytes)", e.Message);
        Assert.Contains("Supported formats", e.Message);
    }

    [Fact]
    public void Missing_file_and_directory_are_FileFormatExceptions()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"evalharness-missing-{Guid.NewGuid():N}.jpg");
        var e = Assert.Throws<FileFormatException>(() => ImageFile.Read(missing));
        Assert.Equal($"{missing}: file not found.", e.Message);
        var inMissingDir = Path.Combine(missing, "x.png");
        Assert.Contains("file not found", Assert.Throws<FileFormatException>(() => ImageFile.Read(inMissingDir)).Message);
        var dir = Assert.Throws<FileFormatException>(() => ImageFile.Read(Path.GetTempPath()));
        Assert.Contains("directory", dir.Message);
    }

    [Fact]
    public void Write_chooses_the_format_from_the_extension()
    {
        var image = Png.Read(IoFixtures.Path("png", "rgb8.png"));
        var path = Path.Combine(Path.GetTempPath(), $"evalharness-write-{Guid.NewGuid():N}.png");
        try
        {
            ImageFile.Write(path, image);
            Assert.True(Png.HasSignature(File.ReadAllBytes(path)));
            Assert.Equal(image.Pixels, ImageFile.Read(path).Pixels);
        }
        finally
        {
            File.Delete(path);
        }
        var e = Assert.Throws<EvalHarnessException>(() => ImageFile.Write(path + ".tiff", image));
        Assert.Contains(".png, .jpg or .jpeg", e.Message);
    }
}
