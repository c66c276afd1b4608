using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;

namespace EvalHarness.Cli;

/// <summary>A saliency map drawn over the image the network saw.</summary>
internal static class Overlay
{
    /// <summary>
    /// The network input as 8-bit RGB: preprocessing undone per channel (x·std + mean, ÷ scale, channel
    /// order back to RGB), rounded and clamped. This is the image after resize and crop.
    /// </summary>
    public static Image InputImage(Tensor input, Preprocessing preprocessing)
    {
        if (input.Rank != 4 || input.N != 1 || input.C != 3)
            throw new ShapeException($"An overlay needs one 3-channel input (1×3×H×W), not {input.ShapeString}.");
        int h = input.H, w = input.W, plane = h * w;
        var image = new Image(w, h);
        var px = image.Pixels;
        for (int c = 0; c < 3; c++)
        {
            int rgb = preprocessing.ChannelOrder == ChannelOrder.Bgr ? 2 - c : c;
            double mean = preprocessing.Mean[c], std = preprocessing.Std[c], scale = preprocessing.Scale;
            var src = input.Data.AsSpan(c * plane, plane);
            for (int i = 0; i < plane; i++)
                px[3 * i + rgb] = (byte)Math.Clamp(Math.Round((src[i] * std + mean) / scale), 0, 255);
        }
        return image;
    }

    /// <summary>out = (1 − α)·image + α·colour(map), per pixel; the map is H×W in [0, 1] at the image's size.</summary>
    public static Image Blend(Image image, ReadOnlySpan<float> map, float alpha)
    {
        if (map.Length != image.Width * image.Height)
            throw new ShapeException($"A {image.Width}×{image.Height} image needs a map of {image.Width * image.Height} values, not {map.Length}.");
        if (!(alpha is >= 0 and <= 1)) throw new EvalHarnessException($"The overlay opacity must be in [0, 1], not {alpha}.");
        var result = new Image(image.Width, image.Height);
        var src = image.Pixels;
        var dst = result.Pixels;
        for (int i = 0; i < map.Length; i++)
        {
            var (r, g, b) = Colormap.Map(map[i]);
            dst[3 * i] = Mix(src[3 * i], r, alpha);
            dst[3 * i + 1] = Mix(src[3 * i + 1], g, alpha);
            dst[3 * i + 2] = Mix(src[3 * i + 2], b, alpha);
        }
        return result;
    }

    private static byte Mix(byte a, byte b, float alpha) => (byte)MathF.Round((1 - alpha) * a + alpha * b);
}
