namespace EvalHarness.Engine.Imaging;

/// <summary>Rectangular crops of RGB images; the centre crop places its window as torchvision's CenterCrop does.</summary>
public static class Crop
{
    /// <summary>
    /// torchvision.transforms.functional.center_crop's offsets: top = int(round((h − th) / 2.0)),
    /// left = int(round((w − tw) / 2.0)), with Python's round half to even.
    /// </summary>
    public static (int Left, int Top) CenterOffsets(int width, int height, int cropWidth, int cropHeight)
    {
        Validate(width, height, cropWidth, cropHeight);
        int top = (int)Math.Round((height - cropHeight) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((width - cropWidth) / 2.0, MidpointRounding.ToEven);
        return (left, top);
    }

    public static Image Center(Image source, int cropWidth, int cropHeight)
    {
        ArgumentNullException.ThrowIfNull(source);
        var (left, top) = CenterOffsets(source.Width, source.Height, cropWidth, cropHeight);
        return Region(source, left, top, cropWidth, cropHeight);
    }

    /// <summary>The <paramref name="width"/>×<paramref name="height"/> window whose top-left pixel is (left, top).</summary>
    public static Image Region(Image source, int left, int top, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (width <= 0 || height <= 0)
            throw new EvalHarnessException($"Crop: the size must be at least 1×1 pixel, not {width}×{height}.");
        if (left < 0 || top < 0 || left + width > source.Width || top + height > source.Height)
            throw new EvalHarnessException(
                $"Crop: the window {width}×{height} at ({left}, {top}) leaves the {source.Width}×{source.Height} image.");
        if (left == 0 && top == 0 && width == source.Width && height == source.Height) return source.Clone();
        var output = new Image(width, height);
        for (int y = 0; y < height; y++)
            source.Pixels.AsSpan(((top + y) * source.Width + left) * 3, width * 3).CopyTo(output.Row(y));
        return output;
    }

    private static void Validate(int width, int height, int cropWidth, int cropHeight)
    {
        if (cropWidth <= 0 || cropHeight <= 0)
            throw new EvalHarnessException($"Center crop: the size must be at least 1×1 pixel, not {cropWidth}×{cropHeight}.");
        if (cropWidth > width || cropHeight > height)
            throw new EvalHarnessException(
                $"Center crop {cropWidth}×{cropHeight} is larger than the {width}×{height} image it is applied to " +
                "(torchvision would pad with zeros; EvalHarness refuses): use a crop no larger than the resized image.");
    }
}
