namespace EvalHarness.Engine.Imaging;

/// <summary>
/// An 8-bit RGB image, rows top to bottom, pixels interleaved (HWC: R, G, B of pixel (x, y) at
/// <c>(y * Width + x) * 3</c>): what PIL's <c>Image.open(f).convert("RGB")</c> holds.
/// </summary>
public sealed class Image
{
    public const int Channels = 3;

    public Image(int width, int height) : this(width, height, new byte[CheckedLength(width, height)]) { }

    /// <summary>Wraps <paramref name="pixels"/> (not copied): exactly width × height × 3 bytes.</summary>
    public Image(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        long length = CheckedLength(width, height);
        if (pixels.Length != length)
            throw new ShapeException($"An RGB image of {width}×{height} needs {length} bytes, not {pixels.Length}.");
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Interleaved R, G, B bytes, row-major.</summary>
    public byte[] Pixels { get; }

    public int Stride => Width * Channels;

    public Span<byte> Row(int y) => Pixels.AsSpan(y * Stride, Stride);

    public (byte R, byte G, byte B) this[int x, int y]
    {
        get
        {
            if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
                throw new ArgumentOutOfRangeException(nameof(x), $"Pixel ({x}, {y}) is outside the {Width}×{Height} image.");
            int o = (y * Width + x) * Channels;
            return (Pixels[o], Pixels[o + 1], Pixels[o + 2]);
        }
    }

    public Image Clone() => new(Width, Height, (byte[])Pixels.Clone());

    /// <summary>A grey image with R = G = B = <paramref name="gray"/> (how PIL converts "L" to "RGB").</summary>
    public static Image FromGray(int width, int height, ReadOnlySpan<byte> gray)
    {
        var image = new Image(width, height);
        if (gray.Length != width * height)
            throw new ShapeException($"A grey {width}×{height} image needs {width * height} bytes, not {gray.Length}.");
        var px = image.Pixels;
        for (int i = 0; i < gray.Length; i++)
        {
            byte v = gray[i];
            px[3 * i] = v;
            px[3 * i + 1] = v;
            px[3 * i + 2] = v;
        }
        return image;
    }

    /// <summary>
    /// The planar float form, 1×3×H×W, value = byte × <paramref name="scale"/> in R, G, B plane order
    /// (torchvision's ToTensor is scale 1/255: it divides by 255 in float32, which this matches exactly).
    /// </summary>
    public Tensor ToTensor(bool divideBy255 = true)
    {
        var t = Tensor.Uninitialized(1, Channels, Height, Width);
        WritePlanar(t.Data, divideBy255);
        return t;
    }

    internal void WritePlanar(Span<float> destination, bool divideBy255)
    {
        int plane = Width * Height;
        var px = Pixels;
        for (int c = 0; c < Channels; c++)
        {
            var dst = destination.Slice(c * plane, plane);
            for (int i = 0; i < plane; i++)
            {
                float v = px[3 * i + c];
                dst[i] = divideBy255 ? v / 255f : v;
            }
        }
    }

    /// <summary>
    /// Back from a 1×3×H×W (or 3×H×W) tensor of 0..255 values: rounded half to even and clamped, as
    /// torchvision rounds float results back to uint8.
    /// </summary>
    public static Image FromTensor(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        bool batched = t.Rank == 4 && t.N == 1 && t.C == Channels;
        bool plain = t.Rank == 3 && t.Dim(0) == Channels;
        if (!batched && !plain)
            throw new ShapeException($"An RGB image tensor must be 1×3×H×W or 3×H×W, not {t.ShapeString}.");
        int h = t.Dim(-2), w = t.Dim(-1);
        var image = new Image(w, h);
        int plane = w * h;
        var px = image.Pixels;
        for (int c = 0; c < Channels; c++)
        {
            var src = t.Data.AsSpan(c * plane, plane);
            for (int i = 0; i < plane; i++)
                px[3 * i + c] = (byte)Math.Clamp(MathF.Round(src[i], MidpointRounding.ToEven), 0f, 255f);
        }
        return image;
    }

    private static long CheckedLength(int width, int height)
    {
        if (width <= 0 || height <= 0)
            throw new ShapeException($"An image must be at least 1×1 pixel, not {width}×{height}.");
        long length = (long)width * height * Channels;
        if (length > Array.MaxLength)
            throw new ShapeException($"An RGB image of {width}×{height} is too large to hold in memory ({length} bytes).");
        return length;
    }

    public override string ToString() => $"Image {Width}×{Height} RGB";
}
