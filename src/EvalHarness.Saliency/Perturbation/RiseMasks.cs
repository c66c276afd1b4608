using System.Collections.Concurrent;
using EvalHarness.Engine;
using Tensor = EvalHarness.Engine.Tensor;

namespace EvalHarness.Saliency.Perturbation;

/// <summary>
/// The random masks of RISE (Petsiuk, Das &amp; Saenko 2018, §3.2 "Mask generation"), generated as
/// eclique/RISE's generate_masks does: N binary s×s grids with P(cell = 1) = p; cell size
/// c = ⌈H/s⌉ (and ⌈W/s⌉); each grid upsampled bilinearly to (s+1)·c pixels (skimage resize, order 1,
/// mode 'reflect', no anti-aliasing: half-pixel centres, t = (o + ½)·s/((s+1)c) − ½, samples beyond the
/// first or last cell centre mirrored about it), then cropped to H×W at a random shift in [0, c) per axis.
/// <para>Random numbers: one stream from the seed, label "rise-masks"; first all grids (mask by mask,
/// row-major), then the row and column shift of each mask. A set is generated once per (H, W, N, s, p,
/// seed) and shared by every image of that size; masks are rendered from it on demand (kept rendered
/// when the whole set fits in <see cref="RenderedCacheLimit"/> values).</para>
/// </summary>
public sealed class RiseMasks
{
    /// <summary>Largest N·H·W kept rendered in memory (64M values = 256 MB).</summary>
    public const long RenderedCacheLimit = 64L << 20;

    private const int MaxCachedSets = 8;

    private static readonly ConcurrentDictionary<(int H, int W, int N, int S, double P, ulong Seed), Lazy<RiseMasks>> Cache = new();

    private readonly bool[] _grid;
    private readonly int[] _shiftRow, _shiftColumn;
    private readonly (int I0, int I1, float F)[] _rowTaps, _columnTaps;
    private float[]? _rendered;

    private RiseMasks(int height, int width, int count, int cells, double keep, ulong seed)
    {
        Height = height;
        Width = width;
        Count = count;
        Cells = cells;
        Keep = keep;
        var rng = Rng.Derive(seed, "rise-masks");
        _grid = new bool[count * cells * cells];
        for (int i = 0; i < _grid.Length; i++) _grid[i] = rng.NextDouble() < keep; // grid = rand(N, s, s) < p1
        int cellH = (height + cells - 1) / cells, cellW = (width + cells - 1) / cells; // cell_size = ceil(input_size / s)
        _shiftRow = new int[count];
        _shiftColumn = new int[count];
        for (int i = 0; i < count; i++)
        {
            _shiftRow[i] = rng.NextInt(cellH);
            _shiftColumn[i] = rng.NextInt(cellW);
        }
        _rowTaps = Taps(cells, (cells + 1) * cellH);
        _columnTaps = Taps(cells, (cells + 1) * cellW);
    }

    public int Height { get; }

    public int Width { get; }

    public int Count { get; }

    public int Cells { get; }

    public double Keep { get; }

    /// <summary>The shared mask set for these settings (validated; generated on first use).</summary>
    public static RiseMasks For(int height, int width, int count, int cells, double keep, ulong seed)
    {
        Validate(count, cells, keep);
        if (height <= 0 || width <= 0) throw new ShapeException($"RISE masks need a positive image size, got {height}×{width}.");
        var key = (height, width, count, cells, keep, seed);
        if (Cache.Count >= MaxCachedSets && !Cache.ContainsKey(key)) Cache.Clear();
        return Cache.GetOrAdd(key, k => new Lazy<RiseMasks>(() => new RiseMasks(k.H, k.W, k.N, k.S, k.P, k.Seed))).Value;
    }

    public static void Validate(int count, int cells, double keep)
    {
        if (count <= 0) throw new EvalHarnessException($"RISE needs at least one mask; got N = {count}.");
        if (cells <= 0) throw new EvalHarnessException($"RISE needs at least one grid cell per side; got s = {cells}.");
        if (!(keep > 0 && keep < 1)) throw new EvalHarnessException($"RISE keep probability p = {keep} must lie strictly between 0 and 1.");
    }

    /// <summary>Grid cell (a, b) of mask i.</summary>
    public bool Cell(int i, int a, int b) => _grid[(i * Cells + a) * Cells + b];

    public (int Row, int Column) Shift(int i) => (_shiftRow[i], _shiftColumn[i]);

    /// <summary>Writes mask i (H×W, row-major) into <paramref name="destination"/>.</summary>
    public void Render(int i, Span<float> destination)
    {
        int plane = Height * Width;
        if (_rendered != null)
        {
            _rendered.AsSpan(i * plane, plane).CopyTo(destination);
            return;
        }
        if ((long)Count * plane <= RenderedCacheLimit)
        {
            var all = new float[Count * plane];
            for (int k = 0; k < Count; k++) RenderCore(k, all.AsSpan(k * plane, plane));
            _rendered = all;
            all.AsSpan(i * plane, plane).CopyTo(destination);
            return;
        }
        RenderCore(i, destination);
    }

    private void RenderCore(int i, Span<float> destination)
    {
        int s = Cells;
        Span<double> rows = stackalloc double[2 * s]; // the two grid rows a row interpolates, widened per column
        int sr = _shiftRow[i], sc = _shiftColumn[i];
        var grid = _grid.AsSpan(i * s * s, s * s);
        for (int y = 0; y < Height; y++)
        {
            var (r0, r1, fr) = _rowTaps[sr + y];
            for (int b = 0; b < s; b++)
            {
                rows[b] = grid[r0 * s + b] ? 1 : 0;
                rows[s + b] = grid[r1 * s + b] ? 1 : 0;
            }
            var dst = destination.Slice(y * Width, Width);
            for (int x = 0; x < Width; x++)
            {
                var (c0, c1, fc) = _columnTaps[sc + x];
                double top = rows[c0] + fc * (rows[c1] - rows[c0]);
                double bottom = rows[s + c0] + fc * (rows[s + c1] - rows[s + c0]);
                dst[x] = (float)(top + fr * (bottom - top));
            }
        }
    }

    /// <summary>For each of <paramref name="outSize"/> output positions: the two source cells and the weight of the second.</summary>
    private static (int, int, float)[] Taps(int inSize, int outSize)
    {
        var taps = new (int, int, float)[outSize];
        double scale = (double)inSize / outSize;
        for (int o = 0; o < outSize; o++)
        {
            double t = (o + 0.5) * scale - 0.5;          // half-pixel centres
            if (inSize == 1) t = 0;
            else
            {
                if (t < 0) t = -t;                        // mirror about the first cell centre (ndimage 'mirror')
                if (t > inSize - 1) t = 2 * (inSize - 1) - t;
            }
            int i0 = Math.Min((int)Math.Floor(t), inSize - 1);
            int i1 = Math.Min(i0 + 1, inSize - 1);
            taps[o] = (i0, i1, (float)(t - i0));
        }
        return taps;
    }
}
