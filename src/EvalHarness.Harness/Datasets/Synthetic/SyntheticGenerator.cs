using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;

namespace EvalHarness.Harness.Datasets.Synthetic;

/// <summary>
/// The procedural ground-truth images ("synthetic-v1"): a textured background, one class-defining
/// object and one or two distractors. Image i of a split is a pure function of (seed, split, i, size):
/// its random stream is <c>Rng.Derive(seed, "synthetic-v1/&lt;split&gt;/&lt;i&gt;")</c>, so it does not
/// depend on how many images are asked for or in which order, and the two splits are disjoint streams.
/// Only +, −, ×, ÷, sqrt and floor are used (no trigonometry), so the bytes are the same on every machine.
/// <para>
/// Classes (shape, colour and texture together): 0 red striped triangle, 1 green checkered square,
/// 2 blue dotted circle, 3 yellow plain cross. The object spans 30–48% of the side, lies wholly in the
/// image and is never covered. Distractors are about as large (24–44%) and never class shapes (ring,
/// diamond, half-disc), but they wear the class colours and textures, mixed at random: neither colour,
/// texture nor size tells the class; the object's shape does (and with it its colour and texture). Labels are balanced: every block of four
/// consecutive indices holds each class once, in a seeded order.
/// </para>
/// </summary>
public static class SyntheticGenerator
{
    public const string Version = "synthetic-v1";

    public const int MinSize = 64;

    public const int DefaultSize = 64;

    public static IReadOnlyList<string> ClassNames { get; } =
        ["red striped triangle", "green checkered square", "blue dotted circle", "yellow plain cross"];

    public static int Classes => ClassNames.Count;

    private enum Shape { Triangle, Square, Circle, Cross, Ring, Diamond, HalfDisc }

    private enum Texture { Stripes, Checks, Dots, Plain }

    private static readonly (double R, double G, double B)[] Colours =
        [(205, 45, 40), (45, 165, 60), (45, 80, 215), (235, 205, 45)];

    private static readonly Shape[] DistractorShapes = [Shape.Ring, Shape.Diamond, Shape.HalfDisc];

    public static string SplitName(SyntheticSplit split) => split == SyntheticSplit.Train ? "train" : "test";

    /// <summary>The label of image <paramref name="index"/>: blocks of four indices hold each class once.</summary>
    public static int LabelOf(ulong seed, SyntheticSplit split, int index)
    {
        Span<int> order = stackalloc int[4];
        for (int i = 0; i < 4; i++) order[i] = i;
        Rng.Derive(seed, $"{Version}/{SplitName(split)}/labels/{index / 4}").Shuffle(order);
        return order[index % 4];
    }

    public static SyntheticSample Generate(ulong seed, SyntheticSplit split, int index, int size = DefaultSize)
    {
        if (size < MinSize)
            throw new EvalHarnessException($"Synthetic images are at least {MinSize}×{MinSize} pixels; size {size} is too small.");
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        int label = LabelOf(seed, split, index);
        var rng = Rng.Derive(seed, $"{Version}/{SplitName(split)}/{index}");
        var rgb = new double[size * size * 3];
        Background(rng, size, rgb);

        // The class object: half-extent r, centre so that the whole shape lies inside with a 1-pixel margin.
        double r = size * Uniform(rng, 0.15, 0.24);
        double cx = Uniform(rng, r + 1, size - r - 1), cy = Uniform(rng, r + 1, size - r - 1);
        var mask = new bool[size * size];
        Paint(rng, rgb, size, (Shape)label, cx, cy, r, Colours[label], (Texture)label, mask);

        // Distractors: placed where their square does not touch the object's (1-pixel gap) nor each other's.
        int wanted = 1 + rng.NextInt(2), placed = 0;
        var taken = new List<(double X0, double Y0, double X1, double Y1)> { (cx - r - 1, cy - r - 1, cx + r + 1, cy + r + 1) };
        for (int d = 0; d < wanted; d++)
        {
            var shape = DistractorShapes[rng.NextInt(DistractorShapes.Length)];
            var colour = Colours[rng.NextInt(Colours.Length)];
            var texture = (Texture)rng.NextInt(4);
            double dr = size * Uniform(rng, 0.12, 0.22);
            for (int attempt = 0; attempt < 30; attempt++)
            {
                double dx = Uniform(rng, dr + 1, size - dr - 1), dy = Uniform(rng, dr + 1, size - dr - 1);
                var square = (dx - dr, dy - dr, dx + dr, dy + dr);
                if (taken.Any(t => square.Item1 < t.X1 && t.X0 < square.Item3 && square.Item2 < t.Y1 && t.Y0 < square.Item4)) continue;
                taken.Add(square);
                Paint(rng, rgb, size, shape, dx, dy, dr, colour, texture, null);
                placed++;
                break;
            }
        }

        // Sensor grain over everything, then quantise.
        var pixels = new byte[rgb.Length];
        for (int i = 0; i < rgb.Length; i++)
            pixels[i] = (byte)Math.Clamp(Math.Floor(rgb[i] + Uniform(rng, -9, 9) + 0.5), 0, 255);
        return new SyntheticSample(new Image(size, size, pixels), label, mask, BoxOf(mask, size, label), placed);
    }

    /// <summary>The bounding box of the set pixels, half-open.</summary>
    public static SourceBox BoxOf(bool[] mask, int size, int label)
    {
        int x0 = size, y0 = size, x1 = -1, y1 = -1;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                if (!mask[y * size + x]) continue;
                x0 = Math.Min(x0, x);
                y0 = Math.Min(y0, y);
                x1 = Math.Max(x1, x);
                y1 = Math.Max(y1, y);
            }
        if (x1 < 0) throw new InvalidOperationException("The object's mask is empty.");
        return new SourceBox(label, x0, y0, x1 + 1, y1 + 1);
    }

    private static double Uniform(Rng rng, double lo, double hi) => lo + (hi - lo) * rng.NextDouble();

    /// <summary>A linear gradient between two muted colours, plus two octaves of smooth value noise.</summary>
    private static void Background(Rng rng, int size, double[] rgb)
    {
        var a = MutedColour(rng);
        var b = MutedColour(rng);
        double gx = Uniform(rng, -1, 1), gy = Uniform(rng, -1, 1);
        double norm = Math.Sqrt(gx * gx + gy * gy) + 1e-9;
        gx /= norm;
        gy /= norm;
        var coarse = NoiseGrid(rng, 5);
        var fine = NoiseGrid(rng, 11);
        var tint = (Uniform(rng, 0.7, 1.3), Uniform(rng, 0.7, 1.3), Uniform(rng, 0.7, 1.3));
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                double u = (x + 0.5) / size, v = (y + 0.5) / size;
                double t = Math.Clamp(0.5 + (u - 0.5) * gx + (v - 0.5) * gy, 0, 1);
                double n = 34 * ValueNoise(coarse, 5, u, v) + 16 * ValueNoise(fine, 11, u, v);
                int o = (y * size + x) * 3;
                rgb[o] = a.R + (b.R - a.R) * t + n * tint.Item1;
                rgb[o + 1] = a.G + (b.G - a.G) * t + n * tint.Item2;
                rgb[o + 2] = a.B + (b.B - a.B) * t + n * tint.Item3;
            }
    }

    private static (double R, double G, double B) MutedColour(Rng rng)
    {
        double grey = Uniform(rng, 70, 185);
        return (grey + Uniform(rng, -22, 22), grey + Uniform(rng, -22, 22), grey + Uniform(rng, -22, 22));
    }

    private static double[] NoiseGrid(Rng rng, int cells)
    {
        var grid = new double[(cells + 1) * (cells + 1)];
        for (int i = 0; i < grid.Length; i++) grid[i] = Uniform(rng, -1, 1);
        return grid;
    }

    /// <summary>Value noise: the grid's values interpolated with the smoothstep 3t² − 2t³.</summary>
    private static double ValueNoise(double[] grid, int cells, double u, double v)
    {
        double fx = u * cells, fy = v * cells;
        int ix = Math.Min((int)Math.Floor(fx), cells - 1), iy = Math.Min((int)Math.Floor(fy), cells - 1);
        double tx = fx - ix, ty = fy - iy;
        tx = tx * tx * (3 - 2 * tx);
        ty = ty * ty * (3 - 2 * ty);
        int w = cells + 1;
        double top = grid[iy * w + ix] + (grid[iy * w + ix + 1] - grid[iy * w + ix]) * tx;
        double bottom = grid[(iy + 1) * w + ix] + (grid[(iy + 1) * w + ix + 1] - grid[(iy + 1) * w + ix]) * tx;
        return top + (bottom - top) * ty;
    }

    /// <summary>Draws a textured shape; pixels whose centre lies inside are painted (and flagged in <paramref name="mask"/>).</summary>
    private static void Paint(Rng rng, double[] rgb, int size, Shape shape, double cx, double cy, double r,
        (double R, double G, double B) colour, Texture texture, bool[]? mask)
    {
        var c = (R: colour.R + Uniform(rng, -22, 22), G: colour.G + Uniform(rng, -22, 22), B: colour.B + Uniform(rng, -22, 22));
        double period = size * Uniform(rng, 0.07, 0.1);
        double dx = Uniform(rng, -1, 1), dy = Uniform(rng, -1, 1);
        double norm = Math.Sqrt(dx * dx + dy * dy) + 1e-9;
        dx /= norm;
        dy /= norm;
        double phase = rng.NextDouble(), ox = rng.NextDouble() * period, oy = rng.NextDouble() * period;
        double shade = Uniform(rng, -0.25, 0.25);
        int x0 = Math.Max(0, (int)Math.Floor(cx - r - 1)), x1 = Math.Min(size - 1, (int)Math.Ceiling(cx + r + 1));
        int y0 = Math.Max(0, (int)Math.Floor(cy - r - 1)), y1 = Math.Min(size - 1, (int)Math.Ceiling(cy + r + 1));
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++)
            {
                double px = x + 0.5, py = y + 0.5;
                if (!Inside(shape, px - cx, py - cy, r)) continue;
                bool dark = texture switch
                {
                    Texture.Stripes => Frac((px * dx + py * dy) / period + phase) < 0.5,
                    Texture.Checks => (((long)Math.Floor((px + ox) / (period * 0.6)) + (long)Math.Floor((py + oy) / (period * 0.6))) & 1) == 1,
                    Texture.Dots => DotDistance2(px + ox, py + oy, period) < 0.09 * period * period,
                    _ => false,
                };
                // Plain objects get a soft linear shading across them instead of a pattern.
                double k = dark ? 0.42 : texture == Texture.Plain ? 1 + shade * ((px - cx) * dx + (py - cy) * dy) / r : 1;
                int o = (y * size + x) * 3;
                rgb[o] = c.R * k;
                rgb[o + 1] = c.G * k;
                rgb[o + 2] = c.B * k;
                if (mask != null) mask[y * size + x] = true;
            }
    }

    private static double Frac(double v) => v - Math.Floor(v);

    private static double DotDistance2(double x, double y, double period)
    {
        double u = Frac(x / period) - 0.5, v = Frac(y / period) - 0.5;
        return (u * u + v * v) * period * period;
    }

    /// <summary>Whether offset (u, v) from the centre lies in the shape of half-extent r (v grows downwards).</summary>
    private static bool Inside(Shape shape, double u, double v, double r)
    {
        double au = Math.Abs(u), av = Math.Abs(v);
        return shape switch
        {
            Shape.Triangle => v <= r && v >= -r && au <= (v + r) / 2,
            Shape.Square => au <= 0.85 * r && av <= 0.85 * r,
            Shape.Circle => u * u + v * v <= r * r,
            Shape.Cross => (au <= r && av <= r / 3) || (av <= r && au <= r / 3),
            Shape.Ring => u * u + v * v <= r * r && u * u + v * v >= 0.3 * r * r,
            Shape.Diamond => au + av <= r,
            Shape.HalfDisc => v >= -0.5 * r && u * u + (v + 0.5 * r) * (v + 0.5 * r) <= r * r && v <= r,
            _ => false,
        };
    }
}
