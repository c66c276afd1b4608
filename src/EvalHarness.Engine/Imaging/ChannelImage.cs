namespace EvalHarness.Engine.Imaging;

/// <summary>
/// An 8-bit image with 1 to 4 interleaved channels: grey, grey + alpha, RGB or RGBA (PNG's colour
/// types). Used where alpha or a single channel matters (PNG reading and writing, heatmaps); the
/// classifiers' input is always <see cref="Image"/> (RGB).
/// </summary>
public sealed class ChannelImage
{
    public ChannelImage(int width, int height, int channels, byte[] samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (width <= 0 || height <= 0)
            throw new ShapeException($"An image must be at least 1×1 pixel, not {width}×{height}.");
        if (channels is < 1 or > 4)
            throw new ShapeException($"An image has 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA) channels, not {channels}.");
        if ((long)width * height * channels != samples.Length)
            throw new ShapeException($"A {width}×{height} image with {channels} channels needs {(long)width * height * channels} bytes, not {samples.Length}.");
        Width = width;
        Height = height;
        Channels = channels;
        Samples = samples;
    }

    public int Width { get; }

    public int Height { get; }

    public int Channels { get; }

    /// <summary>Interleaved samples, row-major, <see cref="Channels"/> bytes per pixel.</summary>
    public byte[] Samples { get; }

    public bool HasAlpha => Channels is 2 or 4;

    /// <summary>RGB as PIL's <c>convert("RGB")</c>: grey replicated, alpha dropped (not composited).</summary>
    public Image ToRgb()
    {
        if (Channels == 3) return new Image(Width, Height, (byte[])Samples.Clone());
        var image = new Image(Width, Height);
        var dst = image.Pixels;
        int n = Width * Height, ch = Channels;
        for (int i = 0; i < n; i++)
        {
            int s = i * ch;
            if (ch <= 2)
            {
                byte g = Samples[s];
                dst[3 * i] = g;
                dst[3 * i + 1] = g;
                dst[3 * i + 2] = g;
            }
            else
            {
                dst[3 * i] = Samples[s];
                dst[3 * i + 1] = Samples[s + 1];
                dst[3 * i + 2] = Samples[s + 2];
            }
        }
        return image;
    }

    public static ChannelImage FromRgb(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new ChannelImage(image.Width, image.Height, 3, image.Pixels);
    }
}
