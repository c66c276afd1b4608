using System.Diagnostics;
using System.Security.Cryptography;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Io;
using EvalHarness.Reports.Imaging;

namespace EvalHarness.Reports.Tests;

public sealed class MapGridTests : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly TestFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private Image WriteAndRead()
    {
        SyntheticRun.Write(_dir.Path);
        ReportWriter.WriteAll(_dir.Path);
        return Png.Read(_dir["maps/ILSVRC2012_val_00000001.png"]);
    }

    [Fact]
    public void The_grid_holds_the_input_with_its_box_then_each_overlay_in_balanced_rows()
    {
        var grid = WriteAndRead();
        // 48×40 inputs are enlarged 4× to 192×160 tiles; five tiles (input + 4 methods) go in two rows of 3 and 2.
        const int scale = 4, pad = 8, tileW = SyntheticRun.GalleryWidth * scale, tileH = SyntheticRun.GalleryHeight * scale;
        Assert.Equal(pad + 3 * (tileW + pad), grid.Width);
        int titleH = 9 + 2 * pad;
        // The input tile: a pixel outside the box is the input pixel; the box's outline is orange (Okabe–Ito #E69F00).
        var input = SyntheticRun.Picture(0);
        Assert.Equal(input[2, 2], grid[pad + 2 * scale, titleH + 2 * scale]);
        Assert.Equal((230, 159, 0), ((int, int, int))grid[pad + 10 * scale + 1, titleH + 20 * scale]);
        // The first overlay (gradcam): outside the box, pixel = blend of the input and the colormap of the map value.
        var map = SyntheticRun.Blob(16, 14, 6);
        int mx = 40, my = 36;
        var expected = Overlay.Blend(input, map.Data, 0.5f)[mx, my];
        Assert.Equal(expected, grid[pad + tileW + pad + mx * scale, titleH + my * scale]);
        // Text is drawn in the band under the tile: some dark pixels there, none in the gap to its right.
        int bandY = titleH + tileH + 4;
        Assert.Contains(Enumerable.Range(0, 60), x => grid[pad + x, bandY + 3].R < 100);
    }

    [Fact]
    public void Map_pngs_decode_the_same_in_pil()
    {
        var grid = WriteAndRead();
        Skip.IfNot(File.Exists(Python), $"{Python} (Debian python3 with python3-pil) is not installed");
        var psi = new ProcessStartInfo(Python, ["-c",
            "import sys, hashlib\nfrom PIL import Image\nim = Image.open(sys.argv[1]); im.load()\nprint(im.format, im.mode, im.size[0], im.size[1], hashlib.sha256(im.convert('RGB').tobytes()).hexdigest())",
            _dir["maps/ILSVRC2012_val_00000001.png"]])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Skip.If(stderr.Contains("No module named 'PIL'"), "python3-pil is not installed");
        Assert.True(p.ExitCode == 0, stderr);
        string sha = Convert.ToHexString(SHA256.HashData(grid.Pixels)).ToLowerInvariant();
        Assert.Equal($"PNG RGB {grid.Width} {grid.Height} {sha}", stdout.Trim());
    }

    [Fact]
    public void A_map_of_the_wrong_size_is_named()
    {
        SyntheticRun.Write(_dir.Path);
        Npy.Write(_dir["gallery/ILSVRC2012_val_00000001/rise.npy"], SyntheticRun.Blob(1, 1, 1).Reshape(SyntheticRun.GalleryWidth, SyntheticRun.GalleryHeight));
        var e = Assert.Throws<Engine.FileFormatException>(() => ReportWriter.WriteAll(_dir.Path));
        Assert.Contains("rise.npy", e.Message);
        Assert.Contains("40×48", e.Message);
    }

    [Fact]
    public void The_font_covers_printable_ascii_and_draws_glyph_bits()
    {
        for (char c = ' '; c <= '~'; c++) Assert.True(BitmapFont.Has(c), $"'{c}'");
        Assert.True(BitmapFont.Has('±'));
        for (char c = '!'; c <= '~'; c++)
            Assert.True(Enumerable.Range(0, 7).Any(r => BitmapFont.Row(c, r) != 0), $"'{c}' is empty");
        // Distinct glyphs for characters that are easy to confuse.
        foreach (var (a, b) in new[] { ('0', 'O'), ('1', 'l'), ('g', '9'), ('5', 'S'), ('8', 'B') })
            Assert.NotEqual(Enumerable.Range(0, 7).Select(r => BitmapFont.Row(a, r)), Enumerable.Range(0, 7).Select(r => BitmapFont.Row(b, r)));
        var image = Raster.Blank(20, 12, (255, 255, 255));
        BitmapFont.Draw(image, 1, 1, "T", (0, 0, 0), 1);
        // 'T' = top row full, then the middle column.
        for (int x = 0; x < 5; x++) Assert.Equal((byte)0, image[1 + x, 1].R);
        Assert.Equal((byte)0, image[3, 5].R);
        Assert.Equal((byte)255, image[1, 5].R);
        Assert.Equal(5 * 6 - 1, BitmapFont.Width("hello"));
    }
}
