using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Io;
using EvalHarness.Reports.Results;
using EvalHarness.Reports.Tables;

namespace EvalHarness.Reports.Imaging;

/// <summary>
/// The gallery picture of one image: a title line, then tiles in as few rows of up to <see cref="Columns"/> as fit, balanced (5 tiles: 3 + 2): the input
/// with its boxes, then each method's map over the input (colormap at opacity 0.5) with the method's name and the
/// image's headline scores written under it, and a colour bar at the bottom. Small inputs are enlarged by an
/// integer factor (nearest neighbour) so a tile is at least 160 pixels wide.
/// </summary>
public static class MapGrid
{
    public const int Columns = 4;
    private const int Pad = 8, MinTile = 160;
    private static readonly (byte, byte, byte) White = (255, 255, 255), Ink = (30, 30, 30), Muted = (90, 90, 90), BoxColor = (230, 159, 0), BoxShadow = (0, 0, 0);

    public static Image Render(string resultsDir, GalleryItem item, IReadOnlyList<string> methodOrder, IReadOnlyList<SummaryColumn> columns, IReadOnlyList<PerImageRow> perImage)
    {
        var input = Png.Read(Path.Combine(resultsDir, item.InputPng));
        if (input.Width != item.Width || input.Height != item.Height)
            throw new FileFormatException(Path.Combine(resultsDir, item.InputPng), $"the input is {input.Width}×{input.Height}, but gallery/index.json says {item.Width}×{item.Height}");
        int scale = Math.Max(1, (MinTile + input.Width - 1) / input.Width);
        int text = input.Width * scale >= 320 ? 2 : 1;
        int tileW = input.Width * scale, tileH = input.Height * scale;
        var methods = methodOrder.Where(item.Maps.ContainsKey).Concat(item.Maps.Keys.Where(k => !methodOrder.Contains(k)).OrderBy(k => k, StringComparer.Ordinal)).ToList();
        var rows = perImage.Where(p => p.ImageId == item.ImageId).ToList();
        double probability = rows.Select(p => p.Probability).DefaultIfEmpty(double.NaN).First();

        var tiles = new List<(Image Picture, List<string> Lines)>
        {
            (Boxed(input, item.Boxes, scale), [ "input", $"label {item.Label} target {item.Target}", $"pred {item.Prediction} p={Num.Fixed(probability, 3)}" ]),
        };
        foreach (var method in methods)
        {
            string path = Path.Combine(resultsDir, item.Maps[method]);
            var map = ReadMap(path, item.Width, item.Height);
            var lines = new List<string> { method };
            foreach (var col in columns)
            {
                var value = rows.FirstOrDefault(p => p.Method == method && p.Metric == col.Metric && p.ValueName == col.ValueName);
                if (value is not null) lines.Add($"{Label(col)} {Num.Fixed(value.Value, col.Decimals)}");
            }
            tiles.Add((Boxed(Overlay.Blend(input, map, 0.5f), item.Boxes, scale), lines));
        }

        int charsPerLine = Math.Max(4, (tileW + 1) / (BitmapFont.Advance * text));
        int textLines = tiles.Max(t => t.Lines.Count);
        int band = textLines * BitmapFont.LineHeight * text + 6;
        int gridRows = (tiles.Count + Columns - 1) / Columns, cols = (tiles.Count + gridRows - 1) / gridRows;
        int titleH = BitmapFont.LineHeight * text + 2 * Pad, barH = 8 * text + BitmapFont.LineHeight * text + 2 * Pad;
        int width = Pad + cols * (tileW + Pad), height = titleH + gridRows * (tileH + band + Pad) + barH;
        var grid = Raster.Blank(width, height, White);
        BitmapFont.Draw(grid, Pad, Pad, Fit($"{item.ImageId}  ({item.Width}x{item.Height}, {item.Boxes.Count} box{(item.Boxes.Count == 1 ? "" : "es")})", (width - 2 * Pad) / (BitmapFont.Advance * text)), Ink, text);
        for (int i = 0; i < tiles.Count; i++)
        {
            int x = Pad + i % cols * (tileW + Pad), y = titleH + i / cols * (tileH + band + Pad);
            Raster.Paste(grid, tiles[i].Picture, x, y, 1);
            for (int l = 0; l < tiles[i].Lines.Count; l++)
                BitmapFont.Draw(grid, x, y + tileH + 4 + l * BitmapFont.LineHeight * text, Fit(tiles[i].Lines[l], charsPerLine), l == 0 ? Ink : Muted, text);
        }
        ColorBar(grid, Pad, height - barH + Pad, Math.Min(width - 2 * Pad, 256), text);
        return grid;
    }

    /// <summary>Reads an H×W (or 1×H×W) float map; values outside [0, 1] are min-max scaled, NaN shown as 0.</summary>
    public static float[] ReadMap(string path, int width, int height)
    {
        var npy = Npy.Read(path);
        if (npy.Length != width * height || npy.Shape[^1] != width || npy.Shape[^2] != height)
            throw new FileFormatException(path, $"the map has shape [{string.Join(", ", npy.Shape)}]; the gallery image is {height}×{width}");
        var values = npy.ToTensor().Data;
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var v in values)
            if (float.IsFinite(v)) { min = Math.Min(min, v); max = Math.Max(max, v); }
        if (min >= 0 && max <= 1) return values;
        var scaled = new float[values.Length];
        float range = max - min;
        for (int i = 0; i < values.Length; i++) scaled[i] = float.IsFinite(values[i]) && range > 0 ? (values[i] - min) / range : 0f;
        return scaled;
    }

    private static string Label(SummaryColumn col) => col.ValueName == col.Metric ? col.Metric : $"{col.Metric} {col.ValueName}";

    private static string Fit(string text, int chars) => text.Length <= chars ? text : text[..Math.Max(1, chars - 1)] + "~";

    private static Image Boxed(Image image, IReadOnlyList<GalleryBox> boxes, int scale)
    {
        var big = new Image(image.Width * scale, image.Height * scale);
        Raster.Paste(big, image, 0, 0, scale);
        foreach (var b in boxes)
        {
            int x0 = b.X0 * scale, y0 = b.Y0 * scale, x1 = b.X1 * scale, y1 = b.Y1 * scale;
            Raster.Outline(big, x0 - 1, y0 - 1, x1 + 1, y1 + 1, 4, BoxShadow);
            Raster.Outline(big, x0, y0, x1, y1, 2, BoxColor);
        }
        return big;
    }

    private static void ColorBar(Image grid, int x, int y, int width, int text)
    {
        for (int i = 0; i < width; i++)
            Raster.Fill(grid, x + i, y, 1, 8 * text, Colormap.Map(i / (float)(width - 1)));
        int ty = y + 8 * text + 3;
        BitmapFont.Draw(grid, x, ty, "0", Muted, text);
        string right = "1  saliency (map over input, opacity 0.5)";
        BitmapFont.Draw(grid, x + width - BitmapFont.Width("1", text), ty, "1", Muted, text);
        BitmapFont.Draw(grid, x + width + 8, y, right[3..], Muted, text);
    }
}
