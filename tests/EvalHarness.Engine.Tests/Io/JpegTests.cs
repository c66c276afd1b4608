using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Io;
using Xunit.Abstractions;

namespace EvalHarness.Engine.Tests.Io;

public class JpegTests(ITestOutputHelper output)
{
    private static void SkipWithoutLibrary() =>
        Skip.IfNot(Jpeg.IsAvailable, $"libturbojpeg is not installed ({Jpeg.UnavailableReason})");

    public static TheoryData<string, int, int> Fixtures => new()
    {
        { "baseline420_64x48", 64, 48 },
        { "baseline420_37x23", 37, 23 },
        { "q444_37x23", 37, 23 },
        { "q422_45x31", 45, 31 },
        { "progressive_61x45", 61, 45 },
        { "optimized_50x40", 50, 40 },
        { "gray_33x29", 33, 29 },
        { "cmyk_40x30", 40, 30 },
        { "ycck_41x29", 41, 29 },
    };

    [SkippableTheory]
    [MemberData(nameof(Fixtures))]
    public void Decodes_as_PIL_convert_RGB(string name, int width, int height)
    {
        SkipWithoutLibrary();
        var image = Jpeg.Read(IoFixtures.Path("jpeg", name + ".jpg"));
        Assert.Equal(width, image.Width);
        Assert.Equal(height, image.Height);
        var expected = IoFixtures.ReadRgb(IoFixtures.Path("jpeg", name + ".rgb.npy"), width, height);
        int max = IoFixtures.MaxAbsDiff(image.Pixels, expected);
        output.WriteLine($"{name}: max |EvalHarness − PIL| = {max}, {IoFixtures.CountDifferent(image.Pixels, expected)} of {expected.Length} samples differ");
        Assert.InRange(max, 0, 1);
    }

    [SkippableFact]
    public void ImageFile_sniffs_JPEG_content_whatever_the_extension()
    {
        SkipWithoutLibrary();
        var bytes = File.ReadAllBytes(IoFixtures.Path("jpeg", "q444_37x23.jpg"));
        var image = IoFixtures.WithTempFile(bytes, ImageFile.Read, ".png");
        Assert.Equal(Jpeg.Read(IoFixtures.Path("jpeg", "q444_37x23.jpg")).Pixels, image.Pixels);
    }

    [SkippableFact]
    public void Truncated_JPEG_is_a_FileFormatException_naming_the_file()
    {
        SkipWithoutLibrary();
        var bytes = File.ReadAllBytes(IoFixtures.Path("jpeg", "baseline420_64x48.jpg"));
        var e = IoFixtures.FormatError(bytes[..(bytes.Length / 2)], ImageFile.Read, ".jpg");
        Assert.Contains("truncated", e.Message);
        // Cut inside the headers, before the frame header.
        var e2 = IoFixtures.FormatError(bytes[..40], Jpeg.Read, ".jpg");
        Assert.Contains("truncated", e2.Message);
    }

    [SkippableFact]
    public void Recoverable_libjpeg_warnings_are_ignored_as_PIL_ignores_them()
    {
        SkipWithoutLibrary();
        // Two stray bytes before EOI: libjpeg warns "extraneous bytes before marker 0xd9"; PIL decodes it unchanged.
        var bytes = File.ReadAllBytes(IoFixtures.Path("jpeg", "baseline420_64x48.jpg"));
        byte[] padded = [.. bytes[..^2], 0, 0, .. bytes[^2..]];
        Assert.Equal(Jpeg.Decode(bytes).Pixels, Jpeg.Decode(padded).Pixels);
    }

    [SkippableFact]
    public void Zero_height_JPEG_is_a_FileFormatException()
    {
        SkipWithoutLibrary();
        var bytes = File.ReadAllBytes(IoFixtures.Path("jpeg", "baseline420_64x48.jpg"));
        int sof = bytes.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        bytes[sof + 5] = 0;   // SOF0 height (big-endian) = 0
        bytes[sof + 6] = 0;
        var e = IoFixtures.FormatError(bytes, ImageFile.Read, ".jpg");
        output.WriteLine(e.Message);
        Assert.Contains("JPEG", e.Message);
    }

    [SkippableFact]
    public void Garbage_after_the_JPEG_signature_is_a_FileFormatException()
    {
        SkipWithoutLibrary();
        byte[] bytes = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. "this is not a JPEG stream at all"u8];
        var e = IoFixtures.FormatError(bytes, ImageFile.Read, ".jpg");
        Assert.Contains("JPEG", e.Message);
    }

    [SkippableFact]
    public void Non_JPEG_data_given_to_the_JPEG_reader_is_refused()
    {
        SkipWithoutLibrary();
        var e = IoFixtures.FormatError(File.ReadAllBytes(IoFixtures.Path("png", "rgb8.png")), Jpeg.Read, ".jpg");
        Assert.Contains("not a readable JPEG", e.Message);
        var empty = IoFixtures.FormatError([], Jpeg.Read, ".jpg");
        Assert.Contains("empty", empty.Message);
    }

    [SkippableFact]
    public void Encode_then_decode_keeps_size_and_content_up_to_JPEG_loss()
    {
        SkipWithoutLibrary();
        var source = Png.Read(IoFixtures.Path("png", "pil_rgb_64x48.png"));
        var bytes = Jpeg.Encode(source, quality: 95);
        Assert.True(Jpeg.HasSignature(bytes));
        var decoded = Jpeg.Decode(bytes);
        Assert.Equal((source.Width, source.Height), (decoded.Width, decoded.Height));
        double se = 0;
        for (int i = 0; i < source.Pixels.Length; i++) se += Math.Pow(source.Pixels[i] - decoded.Pixels[i], 2);
        double psnr = 10 * Math.Log10(255.0 * 255.0 / (se / source.Pixels.Length));
        output.WriteLine($"quality 95 round trip: PSNR {psnr:F1} dB");
        Assert.True(psnr > 25, $"PSNR {psnr:F1} dB");
        Assert.Throws<EvalHarnessException>(() => Jpeg.Encode(source, quality: 0));
    }

    [Fact]
    public void CMYK_conversion_follows_PIL_inverted_Adobe_rules()
    {
        // Raw (as stored, Adobe-inverted) samples → PIL: c = 255 − raw; nk = raw k; out = nk − MULDIV255(c, nk).
        byte[] cmyk = [255, 255, 255, 255, 0, 0, 0, 255, 0, 128, 255, 200, 10, 20, 30, 0];
        var rgb = new byte[12];
        Jpeg.CmykToRgb(cmyk, rgb);
        Assert.Equal(new byte[] { 255, 255, 255 }, rgb[0..3]);       // no ink, no black: white
        Assert.Equal(new byte[] { 0, 0, 0 }, rgb[3..6]);             // full C, M, Y: black
        // nk = 200: c=255 → 200 − (255·200+128 … ) = 0; c=127 → 200 − 100 = 100; c=0 → 200
        Assert.Equal(new byte[] { 0, 100, 200 }, rgb[6..9]);
        Assert.Equal(new byte[] { 0, 0, 0 }, rgb[9..12]);            // full black
    }

    [Fact]
    public void A_missing_library_explains_how_to_install_it()
    {
        var (library, error) = TurboJpeg.Load(["libdefinitely-not-turbojpeg.so.9"]);
        Assert.Null(library);
        Assert.Contains("libdefinitely-not-turbojpeg.so.9", error);
        var e = TurboJpeg.Missing(error);
        Assert.IsAssignableFrom<EvalHarnessException>(e);
        Assert.Contains("libturbojpeg0", e.Message);
        Assert.Contains("libjpeg-turbo", e.Message);
    }
}
