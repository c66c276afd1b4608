using System.Buffers.Binary;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Io;

namespace EvalHarness.Engine.Tests.Io;

public class PngTests
{
    public static TheoryData<string, int, int> Fixtures => new()
    {
        { "gray1", 37, 23 }, { "gray2", 37, 23 }, { "gray4", 37, 23 }, { "gray8", 37, 23 }, { "gray16", 37, 23 },
        { "graya8", 37, 23 }, { "graya16", 37, 23 }, { "rgb8", 37, 23 }, { "rgb16", 37, 23 },
        { "rgba8", 37, 23 }, { "rgba16", 37, 23 },
        { "palette1", 37, 23 }, { "palette2", 37, 23 }, { "palette4", 37, 23 }, { "palette8", 37, 23 },
        { "palette8_trns", 37, 23 }, { "gray8_trns", 37, 23 }, { "rgb8_1x1", 1, 1 }, { "pil_rgb_64x48", 64, 48 },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Reads_every_type_exactly(string name, int width, int height)
    {
        var image = ImageFile.Read(IoFixtures.Path("png", name + ".png"));
        Assert.Equal((width, height), (image.Width, image.Height));
        Assert.Equal(IoFixtures.ReadRgb(IoFixtures.Path("png", name + ".rgb.npy"), width, height), image.Pixels);
    }

    [Theory]
    [InlineData("graya8", 2)]
    [InlineData("graya16", 2)]
    [InlineData("rgba8", 4)]
    [InlineData("rgba16", 4)]
    public void Keeps_alpha_in_samples(string name, int channels)
    {
        var samples = Png.ReadSamples(IoFixtures.Path("png", name + ".png"));
        Assert.Equal(channels, samples.Channels);
        var expected = Npy.Read(IoFixtures.Path("png", name + ".samples.npy"));
        Assert.Equal(new[] { 23, 37, channels }, expected.Shape);
        Assert.Equal((byte[])expected.Data, samples.Samples);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Write_then_read_round_trips(int channels)
    {
        var rng = new Random(channels);
        int w = 29, h = 17;
        var samples = new byte[w * h * channels];
        // Mix smooth ramps (favouring Sub/Up/Paeth) with noise (favouring None).
        for (int i = 0; i < samples.Length; i++) samples[i] = (byte)(i % 7 == 0 ? rng.Next(256) : (i / channels % w) * 5 + i / (w * channels));
        var original = new ChannelImage(w, h, channels, samples);
        var bytes = Png.Encode(original);
        var back = Png.DecodeSamples(bytes);
        Assert.Equal(channels, back.Channels);
        Assert.Equal(samples, back.Samples);
        var path = Path.Combine(Path.GetTempPath(), $"evalharness-png-{Guid.NewGuid():N}.png");
        try
        {
            Png.Write(path, original.ToRgb());
            Assert.Equal(original.ToRgb().Pixels, ImageFile.Read(path).Pixels);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Interlaced_PNG_is_refused_with_a_clear_message()
    {
        var e = Assert.Throws<FileFormatException>(() => Png.Read(IoFixtures.Path("png", "interlaced.png")));
        Assert.Contains("Adam7-interlaced PNG is not supported", e.Message);
        Assert.Contains("interlaced.png", e.Message);
    }

    [Fact]
    public void Bad_CRC_is_detected()
    {
        var bytes = File.ReadAllBytes(IoFixtures.Path("png", "rgb8.png"));
        int idat = IndexOf(bytes, "IDAT"u8);
        bytes[idat + 10] ^= 0x40;   // corrupt a data byte of the first IDAT chunk
        var e = IoFixtures.FormatError(bytes, ImageFile.Read, ".png");
        Assert.Contains("CRC mismatch in the 'IDAT' chunk", e.Message);
    }

    [Fact]
    public void Truncated_PNG_is_detected()
    {
        var bytes = File.ReadAllBytes(IoFixtures.Path("png", "rgb8.png"));
        var e = IoFixtures.FormatError(bytes[..(bytes.Length * 2 / 3)], ImageFile.Read, ".png");
        Assert.Contains("truncated", e.Message);
        // Cut right after a complete chunk, before any IDAT.
        int firstIdat = IndexOf(bytes, "IDAT"u8) - 4;
        var e2 = IoFixtures.FormatError(bytes[..firstIdat], Png.Read, ".png");
        Assert.Contains("truncated", e2.Message);
        var e3 = IoFixtures.FormatError(bytes[..5], ImageFile.Read, ".png");
        Assert.Contains("not a supported image format", e3.Message);
    }

    [Fact]
    public void Zero_size_PNG_is_refused()
    {
        var bytes = File.ReadAllBytes(IoFixtures.Path("png", "rgb8.png"));
        // IHDR body starts at 16: width = 0, then recompute the chunk CRC so that only the size is wrong.
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), 0);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(29), Crc32.Compute(bytes.AsSpan(12, 17)));
        var e = IoFixtures.FormatError(bytes, ImageFile.Read, ".png");
        Assert.Contains("empty image (0×23)", e.Message);
    }

    [Fact]
    public void Invalid_filter_type_is_reported()
    {
        // A 2×1 grey image whose only row uses filter type 7.
        var raw = new byte[] { 7, 1, 2 };
        var ms = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(ms, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
            z.Write(raw);
        var png = BuildPng(2, 1, 8, 0, ms.ToArray());
        var e = Assert.Throws<FileFormatException>(() => Png.Decode(png, "x.png"));
        Assert.Contains("unknown filter type 7", e.Message);
    }

    [Fact]
    public void Branch_free_Paeth_matches_the_spec_definition()
    {
        for (int a = 0; a < 256; a += 3)
        for (int b = 0; b < 256; b += 3)
        for (int c = 0; c < 256; c += 3)
        {
            int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            int expected = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
            if (Png.Paeth(a, b, c) != expected) Assert.Fail($"Paeth({a}, {b}, {c}) = {Png.Paeth(a, b, c)}, expected {expected}");
        }
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
    }

    private static byte[] BuildPng(int w, int h, int depth, int colorType, byte[] zdata)
    {
        var ms = new MemoryStream();
        ms.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)w);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)h);
        ihdr[8] = (byte)depth;
        ihdr[9] = (byte)colorType;
        Chunk(ms, "IHDR"u8, ihdr);
        Chunk(ms, "IDAT"u8, zdata);
        Chunk(ms, "IEND"u8, []);
        return ms.ToArray();
    }

    private static void Chunk(MemoryStream ms, ReadOnlySpan<byte> type, byte[] body)
    {
        var head = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(head, (uint)body.Length);
        type.CopyTo(head.AsSpan(4));
        ms.Write(head);
        ms.Write(body);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.Compute([.. head[4..], .. body]));
        ms.Write(crc);
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}
