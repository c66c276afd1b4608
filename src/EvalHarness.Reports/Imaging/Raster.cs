using EvalHarness.Engine.Imaging;

namespace EvalHarness.Reports.Imaging;

/// <summary>Small drawing operations on RGB images: filled and outlined rectangles, nearest-neighbour pasting.</summary>
public static class Raster
{
    /// <summary>A <paramref name="width"/>×<paramref name="height"/> image filled with <paramref name="color"/>.</summary>
    public static Image Blank(int width, int height, (byte R, byte G, byte B) color)
    {
        var image = new Image(width, height);
        Fill(image, 0, 0, width, height, color);
        return image;
    }

    /// <summary>Fills the rectangle [x, x+w) × [y, y+h), clipped to the image.</summary>
    public static void Fill(Image image, int x, int y, int w, int h, (byte R, byte G, byte B) color)
    {
        int x0 = Math.Max(0, x), y0 = Math.Max(0, y), x1 = Math.Min(image.Width, x + w), y1 = Math.Min(image.Height, y + h);
        var px = image.Pixels;
        for (int yy = y0; yy < y1; yy++)
            for (int xx = x0; xx < x1; xx++)
            {
                int o = (yy * image.Width + xx) * 3;
                px[o] = color.R;
                px[o + 1] = color.G;
                px[o + 2] = color.B;
            }
    }

    /// <summary>The outline of [x0, x1) × [y0, y1) drawn <paramref name="thickness"/> pixels wide inside the rectangle.</summary>
    public static void Outline(Image image, int x0, int y0, int x1, int y1, int thickness, (byte R, byte G, byte B) color)
    {
        int w = x1 - x0, h = y1 - y0;
        if (w <= 0 || h <= 0) return;
        int t = Math.Min(thickness, Math.Min(w, h));
        Fill(image, x0, y0, w, t, color);
        Fill(image, x0, y1 - t, w, t, color);
        Fill(image, x0, y0, t, h, color);
        Fill(image, x1 - t, y0, t, h, color);
    }

    /// <summary>Copies <paramref name="source"/> enlarged <paramref name="scale"/> times (nearest neighbour) with its top-left at (x, y).</summary>
    public static void Paste(Image target, Image source, int x, int y, int scale = 1)
    {
        var src = source.Pixels;
        var dst = target.Pixels;
        for (int sy = 0; sy < source.Height * scale; sy++)
        {
            int ty = y + sy;
            if ((uint)ty >= (uint)target.Height) continue;
            for (int sx = 0; sx < source.Width * scale; sx++)
            {
                int tx = x + sx;
                if ((uint)tx >= (uint)target.Width) continue;
                int s = ((sy / scale) * source.Width + sx / scale) * 3, d = (ty * target.Width + tx) * 3;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        }
    }
}
