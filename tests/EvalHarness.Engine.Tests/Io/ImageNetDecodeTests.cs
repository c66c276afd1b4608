using System.Security.Cryptography;
using System.Text.Json;
using EvalHarness.Engine.Io;
using Xunit.Abstractions;

namespace EvalHarness.Engine.Tests.Io;

/// <summary>Real ImageNet validation JPEGs (from the optional shared folder) against PIL's decoding recorded by gen_io.py.</summary>
public class ImageNetDecodeTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void First_20_ImageNet_JPEGs_decode_as_PIL()
    {
        var shared = IoFixtures.Shared;
        Skip.If(shared is null, "the shared folder (../shared beside the checkout, or EVALHARNESS_SHARED) is absent");
        var dir = Path.Combine(shared!, "datasets", "imagenet-val-1000", "images");
        Skip.IfNot(Directory.Exists(dir), $"{dir} is absent");
        Skip.IfNot(Jpeg.IsAvailable, $"libturbojpeg is not installed ({Jpeg.UnavailableReason})");

        using var doc = JsonDocument.Parse(File.ReadAllText(IoFixtures.Path("imagenet_first20.json")));
        var records = doc.RootElement.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal(20, records.Count);
        var names = Directory.EnumerateFiles(dir).Select(Path.GetFileName)
            .Where(n => n!.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase) || n.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).Take(20).ToList();
        Assert.Equal(records.Select(r => r.GetProperty("file").GetString()), names);

        int identical = 0, worstSample = 0;
        long worstSum = 0;
        foreach (var r in records)
        {
            var image = ImageFile.Read(Path.Combine(dir, r.GetProperty("file").GetString()!));
            Assert.Equal(r.GetProperty("width").GetInt32(), image.Width);
            Assert.Equal(r.GetProperty("height").GetInt32(), image.Height);
            if (Convert.ToHexStringLower(SHA256.HashData(image.Pixels)) == r.GetProperty("sha256").GetString()) identical++;
            long sum = 0;
            foreach (byte b in image.Pixels) sum += b;
            long sumDiff = Math.Abs(sum - r.GetProperty("sum").GetInt64());
            worstSum = Math.Max(worstSum, sumDiff);
            Assert.True(sumDiff <= image.Pixels.Length / 10, $"{r.GetProperty("file")}: pixel sum differs by {sumDiff}");
            foreach (var s in r.GetProperty("samples").EnumerateArray())
            {
                var v = s.EnumerateArray().Select(e => e.GetInt32()).ToArray();
                var (red, green, blue) = image[v[0], v[1]];
                int d = Math.Max(Math.Abs(red - v[2]), Math.Max(Math.Abs(green - v[3]), Math.Abs(blue - v[4])));
                worstSample = Math.Max(worstSample, d);
            }
        }
        output.WriteLine($"{identical}/20 images bit-identical to PIL (SHA-256); max sampled-pixel difference {worstSample}; max |pixel-sum difference| {worstSum}");
        Assert.InRange(worstSample, 0, 1);
    }
}
