using EvalHarness.Engine.Imaging;

namespace EvalHarness.Engine.Io;

/// <summary>
/// Reads an image file as 8-bit RGB, choosing the decoder from the file's first bytes (never from its
/// extension): JPEG, PNG, BMP, PPM/PGM. The result equals PIL's <c>Image.open(path).convert("RGB")</c>
/// (see each reader for the few documented exceptions).
/// </summary>
public static class ImageFile
{
    public const string SupportedFormats =
        "JPEG (via libjpeg-turbo), PNG (non-interlaced), BMP (uncompressed 24/32-bit), PPM/PGM (binary P6/P5)";

    public static Image Read(string path)
    {
        var data = ReadAllBytes(path);
        return Decode(data, path);
    }

    /// <summary>Decodes bytes of any supported format; <paramref name="name"/> names the source in errors.</summary>
    public static Image Decode(ReadOnlySpan<byte> data, string name = "<memory>")
    {
        if (data.IsEmpty)
            throw new FileFormatException(name, $"the file is empty (0 bytes), not an image. Supported formats: {SupportedFormats}.");
        if (Jpeg.HasSignature(data)) return Jpeg.Decode(data, name);
        if (Png.HasSignature(data)) return Png.Decode(data, name);
        if (Bmp.HasSignature(data)) return Bmp.Decode(data, name);
        if (Ppm.HasSignature(data)) return Ppm.Decode(data, name);
        throw new FileFormatException(name,
            $"not a supported image format ({Describe(data)}). Supported formats: {SupportedFormats}.");
    }

    /// <summary>Writes PNG or JPEG according to the extension (.png, .jpg/.jpeg).</summary>
    public static void Write(string path, Image image, int jpegQuality = 90)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        switch (ext)
        {
            case ".png": Png.Write(path, image); break;
            case ".jpg" or ".jpeg": Jpeg.Write(path, image, jpegQuality); break;
            default: throw new EvalHarnessException($"Cannot choose an image format for '{path}': use the extension .png, .jpg or .jpeg.");
        }
    }

    /// <summary>All bytes of a file; a missing or unreadable file is a <see cref="FileFormatException"/>.</summary>
    internal static byte[] ReadAllBytes(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (FileNotFoundException e)
        {
            throw new FileFormatException(path, "file not found.", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new FileFormatException(path, "file not found (its directory does not exist).", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new FileFormatException(path, Directory.Exists(path) ? "is a directory, not a file." : "cannot be read (access denied).", e);
        }
        catch (IOException e)
        {
            throw new FileFormatException(path, $"cannot be read: {e.Message}", e);
        }
    }

    private static string Describe(ReadOnlySpan<byte> data)
    {
        string hex = Convert.ToHexString(data[..Math.Min(8, data.Length)]);
        string guess = data switch
        {
            [(byte)'G', (byte)'I', (byte)'F', (byte)'8', ..] => "looks like GIF",
            [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => "looks like WebP",
            [(byte)'I', (byte)'I', 42, 0, ..] or [(byte)'M', (byte)'M', 0, 42, ..] => "looks like TIFF",
            [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', ..] => "looks like a NumPy .npy array",
            [0xFF, 0xD8, ..] => "starts like JPEG but the first marker is missing",
            _ when LooksLikeText(data) => "looks like text",
            _ => "unrecognised signature",
        };
        return $"{guess}; first bytes {hex}";
    }

    private static bool LooksLikeText(ReadOnlySpan<byte> data)
    {
        var head = data[..Math.Min(64, data.Length)];
        foreach (byte b in head)
            if (b < 9 || (b > 13 && b < 32 && b != 27)) return false;
        return true;
    }
}
