using System.Buffers.Binary;
using EvalHarness.Engine.Io;

namespace EvalHarness.Engine.Tests.Io;

public class BmpPpmTests
{
    [Theory]
    [InlineData("rgb24_bottomup")]
    [InlineData("rgb24_topdown")]
    [InlineData("rgb32")]
    [InlineData("rgb32_bitfields")]
    [InlineData("pil_rgb24")]
    public void Reads_BMP_exactly(string name)
    {
        var image = ImageFile.Read(IoFixtures.Path("bmp", name + ".bmp"));
        Assert.Equal(IoFixtures.ReadRgb(IoFixtures.Path("bmp", "expected.rgb.npy"), 37, 23), image.Pixels);
    }

    [Theory]
    [InlineData("p6_255")]
    [InlineData("p6_1000")]
    [InlineData("p6_31")]
    [InlineData("p5_255")]
    public void Reads_PPM_and_PGM_as_PIL(string name)
    {
        var image = ImageFile.Read(IoFixtures.Path("ppm", name + ".ppm"));
        Assert.Equal(IoFixtures.ReadRgb(IoFixtures.Path("ppm", name + ".rgb.npy"), 37, 23), image.Pixels);
    }

    [Fact]
    public void Truncated_and_empty_BMP_are_refused()
    {
        var bytes = File.ReadAllBytes(IoFixtures.Path("bmp", "rgb24_bottomup.bmp"));
        Assert.Contains("truncated", IoFixtures.FormatError(bytes[..(bytes.Length - 10)], ImageFile.Read, ".bmp").Message);
        var zero = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(zero.AsSpan(18), 0);   // width 0
        Assert.Contains("empty image (0×23)", IoFixtures.FormatError(zero, ImageFile.Read, ".bmp").Message);
        var rle = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(rle.AsSpan(28), 8);   // 8 bits per pixel
        BinaryPrimitives.WriteUInt32LittleEndian(rle.AsSpan(30), 1);   // BI_RLE8
        var e = IoFixtures.FormatError(rle, ImageFile.Read, ".bmp");
        Assert.Contains("8 bits per pixel and compression BI_RLE8 is not supported", e.Message);
        Assert.Contains("24-bit and 32-bit", e.Message);
    }

    [Fact]
    public void Bad_PPM_headers_are_refused()
    {
        Assert.Contains("empty image (0×5)", IoFixtures.FormatError("P6 0 5 255\n"u8.ToArray(), ImageFile.Read, ".ppm").Message);
        Assert.Contains("truncated", IoFixtures.FormatError("P6 2 2 255\n\x01\x02\x03"u8.ToArray(), ImageFile.Read, ".ppm").Message);
        Assert.Contains("maxval is missing", IoFixtures.FormatError("P6 2 2 #\n"u8.ToArray(), ImageFile.Read, ".ppm").Message);
        Assert.Contains("maxval 70000", IoFixtures.FormatError("P6 1 1 70000\n\0\0\0\0\0\0"u8.ToArray(), ImageFile.Read, ".ppm").Message);
    }

    [Fact]
    public void PPM_rescales_maxval_with_round_half_even()
    {
        // maxval 2: 1/2·255 = 127.5 → 128 (even); maxval 6: 3/6·255 = 127.5 → 128; 1/6·255 = 42.5 → 42.
        var a = Ppm.Decode("P6 1 1 2\n\x01\x02\x00"u8);
        Assert.Equal(new byte[] { 128, 255, 0 }, a.Pixels);
        var b = Ppm.Decode("P5 2 1 6\n\x03\x01"u8);
        Assert.Equal(new byte[] { 128, 128, 128, 42, 42, 42 }, b.Pixels);
    }
}
