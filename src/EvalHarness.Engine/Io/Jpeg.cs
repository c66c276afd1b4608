using EvalHarness.Engine.Imaging;

namespace EvalHarness.Engine.Io;

/// <summary>
/// JPEG through libjpeg-turbo's TurboJPEG API, decoding exactly as PIL does for
/// <c>Image.open(f).convert("RGB")</c>: the same library with its defaults (accurate integer "islow"
/// IDCT, fancy chroma upsampling), greyscale replicated to R = G = B, and four-component (CMYK / YCCK)
/// files decoded to CMYK then converted with PIL's rules (see <see cref="CmykToRgb"/>).
/// Warnings from libjpeg (e.g. extraneous bytes) are ignored as PIL ignores them; data that ends early
/// is an error, as in PIL (<c>OSError: image file is truncated</c>).
/// </summary>
public static unsafe class Jpeg
{
    /// <summary>True when the TurboJPEG library can be loaded.</summary>
    public static bool IsAvailable => TurboJpeg.TryGet() is not null;

    /// <summary>Why the library is unavailable (null when it is available).</summary>
    public static string? UnavailableReason => TurboJpeg.TryGet() is null ? TurboJpeg.LoadError : null;

    /// <summary>JPEG files start with the SOI marker FF D8 followed by another marker's FF.</summary>
    public static bool HasSignature(ReadOnlySpan<byte> head) => head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF;

    public static Image Read(string path) => Decode(ImageFile.ReadAllBytes(path), path);

    /// <summary>Decodes JPEG bytes; <paramref name="name"/> names the source in error messages.</summary>
    public static Image Decode(ReadOnlySpan<byte> data, string name = "<memory>")
    {
        if (data.IsEmpty) throw new FileFormatException(name, "the file is empty (0 bytes), not a JPEG image.");
        var tj = TurboJpeg.Get();
        nint handle = tj.InitDecompress();
        if (handle == 0) throw new EvalHarnessException($"TurboJPEG could not start a decompressor: {tj.ErrorMessage(0)}");
        try
        {
            fixed (byte* src = data)
            {
                var size = new System.Runtime.InteropServices.CULong((nuint)data.Length);
                int width, height, subsampling, colorspace;
                if (tj.DecompressHeader3(handle, src, size, &width, &height, &subsampling, &colorspace) != 0)
                    throw new FileFormatException(name, $"not a readable JPEG image ({tj.ErrorMessage(handle)}).");
                if (width <= 0 || height <= 0)
                    throw new FileFormatException(name,
                        $"the JPEG header gives no image size ({width}×{height}): the file is truncated before its frame header, or holds only tables.");
                bool fourComponents = colorspace is TurboJpeg.ColorspaceCmyk or TurboJpeg.ColorspaceYcck;
                int channels = fourComponents ? 4 : 3;
                if ((long)width * height * channels > Array.MaxLength)
                    throw new FileFormatException(name, $"the JPEG image is too large to decode ({width}×{height}).");
                var buffer = GC.AllocateUninitializedArray<byte>(width * height * channels);
                fixed (byte* dst = buffer)
                {
                    int format = fourComponents ? TurboJpeg.PixelFormatCmyk : TurboJpeg.PixelFormatRgb;
                    if (tj.Decompress2(handle, src, size, dst, width, width * channels, height, format, 0) != 0)
                    {
                        string message = tj.ErrorMessage(handle);
                        bool warning = tj.GetErrorCode(handle) == TurboJpeg.ErrorWarning;
                        if (!warning)
                            throw new FileFormatException(name, $"corrupt JPEG data ({message}).");
                        if (message.Contains("Premature end", StringComparison.OrdinalIgnoreCase))
                            throw new FileFormatException(name, $"the JPEG data is truncated ({message}); the file is incomplete.");
                    }
                }
                if (!fourComponents) return new Image(width, height, buffer);
                var rgb = new Image(width, height);
                CmykToRgb(buffer, rgb.Pixels);
                return rgb;
            }
        }
        finally
        {
            tj.Destroy(handle);
        }
    }

    /// <summary>
    /// Four-component JPEG samples (as libjpeg returns them for JCS_CMYK, YCCK already converted) to RGB
    /// the way PIL 9.x does: it always assumes Adobe's inverted polarity (rawmode "CMYK;I": c = 255 - raw),
    /// then Convert.c cmyk2rgb: nk = 255 - k, out = clip(nk - (c·nk)/255) with
    /// MULDIV255(a, b) = ((a·b + 128) + ((a·b + 128) >> 8)) >> 8.
    /// </summary>
    internal static void CmykToRgb(ReadOnlySpan<byte> cmyk, Span<byte> rgb)
    {
        int n = cmyk.Length / 4;
        for (int i = 0; i < n; i++)
        {
            int nk = cmyk[4 * i + 3];                 // 255 - (255 - raw k)
            for (int c = 0; c < 3; c++)
            {
                int inv = 255 - cmyk[4 * i + c];
                int t = inv * nk + 128;
                int v = nk - (((t >> 8) + t) >> 8);
                rgb[3 * i + c] = (byte)Math.Clamp(v, 0, 255);
            }
        }
    }

    /// <summary>Encodes baseline JPEG, 4:2:0 chroma (PIL's default), quality 1-100.</summary>
    public static byte[] Encode(Image image, int quality = 90)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (quality is < 1 or > 100)
            throw new EvalHarnessException($"JPEG quality must be 1-100, not {quality}.");
        var tj = TurboJpeg.Get();
        nint handle = tj.InitCompress();
        if (handle == 0) throw new EvalHarnessException($"TurboJPEG could not start a compressor: {tj.ErrorMessage(0)}");
        byte* jpeg = null;
        try
        {
            var size = new System.Runtime.InteropServices.CULong(0);
            fixed (byte* src = image.Pixels)
            {
                if (tj.Compress2(handle, src, image.Width, image.Stride, image.Height, TurboJpeg.PixelFormatRgb,
                        &jpeg, &size, TurboJpeg.Subsampling420, quality, 0) != 0)
                    throw new EvalHarnessException($"JPEG encoding failed: {tj.ErrorMessage(handle)}");
            }
            return new ReadOnlySpan<byte>(jpeg, checked((int)size.Value)).ToArray();
        }
        finally
        {
            if (jpeg != null) tj.Free(jpeg);
            tj.Destroy(handle);
        }
    }

    public static void Write(string path, Image image, int quality = 90) => File.WriteAllBytes(path, Encode(image, quality));
}
