using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using EvalHarness.Engine.Gemm;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// Stride-1 3×3 convolution (cross-correlation, as torch.nn.Conv2d) by a Winograd minimal filtering
/// algorithm (<see cref="WinogradTransform"/>; Lavin &amp; Gray, "Fast Algorithms for Convolutional Neural
/// Networks", CVPR 2016): the channel sums of the α×α position products become α² independent products
/// M_ξ = U_ξ · V_ξ (U: transformed kernels, output × input channels; V: transformed input tiles).
/// The tiles of all images form one sequence cut into blocks small enough that a block's V and M stay in
/// the core's L2 cache; a block is transformed straight into the packed panel layout of the managed GEMM
/// micro-kernel, multiplied with the kernels packed once (<see cref="TransformWeights"/>) and transformed
/// back before the next block. Blocks are spread over the threads; with fewer blocks than threads each
/// phase of a block is split over them instead. Kernels are transformed in double precision. The input
/// gradient of such a convolution is the same operation on the output gradient with kernels rotated by
/// 180° and transposed, and padding 2 − p.
/// </summary>
[SkipLocalsInit]
internal static unsafe class WinogradConv
{
    private const int Lanes = WinogradTransform.Lanes;

    /// <summary>Bytes of L2 a block's transformed tiles (V and M) aim to fit in.</summary>
    private const long BlockBytes = 3L << 19; // 1.5 MB

    /// <summary>Floats between the α² regions of V and M (one cache line), so they do not alias in L1.</summary>
    private const int RegionPad = 16;

    private static readonly ManagedGemm Packer = new(threads: 1);

    public static bool IsSupported => System.Runtime.Intrinsics.X86.Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    /// <summary>
    /// U_ξ = (G g Gᵀ)_ξ for every kernel of a weight tensor Cout×Cin×3×3, packed in the managed GEMM's A
    /// layout. Forward: rows are output channels, columns input channels. <paramref name="inputGradient"/>:
    /// rows are input channels, columns output channels and each kernel is rotated by 180°, so that the
    /// product maps an output gradient to the input gradient.
    /// </summary>
    public static PackedMatrixSet TransformWeights(WinogradTransform transform, float[] weight, int outChannels, int inChannels, bool inputGradient)
    {
        int rows = inputGradient ? inChannels : outChannels, cols = inputGradient ? outChannels : inChannels;
        int positions = transform.Positions;
        long matrix = (long)rows * cols;
        var u = GC.AllocateUninitializedArray<float>(checked((int)(positions * matrix)));
        LayerParallel.For(outChannels, (long)outChannels * inChannels * 64, k =>
        {
            Span<double> g = stackalloc double[9];
            Span<double> t = stackalloc double[36];
            for (int c = 0; c < inChannels; c++)
            {
                int src = (k * inChannels + c) * 9;
                for (int i = 0; i < 9; i++) g[i] = weight[src + (inputGradient ? 8 - i : i)];
                transform.Kernel(g, t);
                long at = inputGradient ? (long)c * cols + k : (long)k * cols + c;
                for (int xi = 0; xi < positions; xi++) u[xi * matrix + at] = (float)t[xi];
            }
        });
        var packs = new IPackedMatrix[positions];
        for (int xi = 0; xi < positions; xi++)
            packs[xi] = Packer.Pack(GemmOperand.A, false, rows, cols, u.AsSpan((int)(xi * matrix), (int)matrix), cols);
        return new PackedMatrixSet(packs);
    }

    /// <summary>
    /// y (N×K×outH×outW) = the 3×3 stride-1 correlation of x (N×C×H×W, zero padding padH/padW) with the
    /// kernels behind <paramref name="u"/> (K×C per position), plus <paramref name="bias"/> per output channel.
    /// </summary>
    public static void Run(WinogradTransform transform, PackedMatrixSet u, float[] x, int batch, int height, int width,
        int padH, int padW, float[]? bias, float[] y, int outHeight, int outWidth)
    {
        if (outHeight != height + 2 * padH - 2 || outWidth != width + 2 * padW - 2)
            throw new ArgumentException($"A 3×3 stride-1 convolution of {height}×{width} with padding {padH}×{padW} gives {height + 2 * padH - 2}×{width + 2 * padW - 2}, not {outHeight}×{outWidth}.");
        var job = new Job(transform, u, x, batch, height, width, padH, padW, bias, y, outHeight, outWidth);
        int threads = Math.Max(1, Environment.ProcessorCount);
        fixed (float* px = x)
        fixed (float* py = y)
        {
            job.X = px;
            job.Y = py;
            if (threads > 1 && job.Blocks >= threads)
            {
                Parallel.For(0, job.Blocks, new ParallelOptions { MaxDegreeOfParallelism = threads }, b =>
                {
                    var block = job.Begin(b);
                    try
                    {
                        job.Input(block, 0, job.InChannels);
                        job.Multiply(block, 0, transform.Positions);
                        job.Output(block, 0, job.OutChannels);
                    }
                    finally
                    {
                        job.End(block);
                    }
                });
                return;
            }
            for (int b = 0; b < job.Blocks; b++)
            {
                var block = job.Begin(b);
                try
                {
                    Split(threads, job.InChannels, (c0, c1) => job.Input(block, c0, c1));
                    Split(threads, transform.Positions, (p0, p1) => job.Multiply(block, p0, p1));
                    Split(threads, job.OutChannels, (k0, k1) => job.Output(block, k0, k1));
                }
                finally
                {
                    job.End(block);
                }
            }
        }
    }

    /// <summary>Runs body over [0, count) cut into one contiguous range per thread.</summary>
    private static void Split(int threads, int count, Action<int, int> body)
    {
        threads = Math.Min(threads, count);
        if (threads <= 1)
        {
            body(0, count);
            return;
        }
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
            i => body((int)((long)count * i / threads), (int)((long)count * (i + 1) / threads)));
    }

    /// <summary>
    /// Up to 16 tiles that follow each other along one tile row, their place in the block, and the masks
    /// of their input columns when some fall in the padding (Masked).
    /// </summary>
    private struct LaneGroup
    {
        public int Image, TileRow, TileCol, Count, Offset;

        /// <summary>Index of the group's α column masks in the block's list, or −1 when all its columns are inside.</summary>
        public int Masks;
    }

    /// <summary>One block in flight: its tiles, V (α² regions of C×ld, packed B panels) and M (α² regions of K×ld).</summary>
    private sealed class Block
    {
        public required LaneGroup[] Groups { get; init; }
        public required Vector512<float>[] ColumnMasks { get; init; }

        /// <summary>Input rows the block reads in every channel plane: (image, first row, row count).</summary>
        public required (int Image, int Row, int Rows)[] RowSpans { get; init; }
        public required int Tiles { get; init; }
        public required int Ld { get; init; }
        public required AlignedBuffer V { get; init; }
        public required AlignedBuffer M { get; init; }
    }

    private sealed class Job
    {
        private readonly WinogradTransform _t;
        private readonly ManagedPackedMatrix[] _u;
        private readonly float[]? _bias;
        private readonly int _height, _width, _padH, _padW, _outHeight, _outWidth;
        private readonly int _tilesH, _tilesW, _blockTiles, _kcBlock;
        private readonly long _totalTiles, _xLength;
        private readonly MicroKernel _kernel;

        public Job(WinogradTransform t, PackedMatrixSet u, float[] x, int batch, int height, int width, int padH, int padW,
            float[]? bias, float[] y, int outHeight, int outWidth)
        {
            _t = t;
            _u = new ManagedPackedMatrix[u.Count];
            for (int i = 0; i < u.Count; i++) _u[i] = (ManagedPackedMatrix)u[i];
            _kernel = _u[0].Kernel;
            _kcBlock = _u[0].KcBlock;
            _xLength = x.LongLength;
            _bias = bias;
            _height = height;
            _width = width;
            _padH = padH;
            _padW = padW;
            _outHeight = outHeight;
            _outWidth = outWidth;
            InChannels = _u[0].Cols;
            OutChannels = _u[0].Rows;
            _tilesH = (outHeight + t.Tile - 1) / t.Tile;
            _tilesW = (outWidth + t.Tile - 1) / t.Tile;
            _totalTiles = (long)batch * _tilesH * _tilesW;
            int nr = _kernel.Nr;
            long perTile = (long)t.Positions * (InChannels + OutChannels) * sizeof(float);
            int fit = (int)Math.Clamp(BlockBytes / perTile / nr * nr, nr, 512);
            // Spread the tiles evenly over the blocks, in whole panels.
            int blocks = (int)Math.Max(1, (_totalTiles + fit - 1) / fit);
            long perBlock = (_totalTiles + blocks - 1) / blocks;
            _blockTiles = (int)((perBlock + nr - 1) / nr * nr);
            Blocks = (int)((_totalTiles + _blockTiles - 1) / _blockTiles);
        }

        public float* X { get; set; }

        public float* Y { get; set; }

        public int InChannels { get; }

        public int OutChannels { get; }

        public int Blocks { get; }

        private long VRegion(int ld) => (long)InChannels * ld + RegionPad;

        private long MRegion(int ld) => (long)OutChannels * ld + RegionPad;

        public Block Begin(int index)
        {
            long t0 = (long)index * _blockTiles, t1 = Math.Min(_totalTiles, t0 + _blockTiles);
            int tiles = (int)(t1 - t0), perImage = _tilesH * _tilesW, tile = _t.Tile, alpha = _t.Alpha;
            var groups = new List<LaneGroup>((tiles + Lanes - 1) / Lanes + 4);
            var masks = new List<Vector512<float>>();
            for (long t = t0; t < t1;)
            {
                int n = (int)(t / perImage), rest = (int)(t % perImage), tr = rest / _tilesW, tc = rest % _tilesW;
                int count = (int)Math.Min(Math.Min(Lanes, _tilesW - tc), t1 - t);
                int col0 = tc * tile - _padW, maskIndex = -1;
                if (col0 < 0 || col0 + tile * (count - 1) + alpha > _width)
                {
                    // Lane t, column j reads input column col0 + tile·t + j: keep it when inside the image.
                    maskIndex = masks.Count;
                    for (int j = 0; j < alpha; j++)
                    {
                        var column = Vector512<int>.Indices * tile + Vector512.Create(col0 + j);
                        masks.Add(Vector512.BitwiseAnd(Vector512.GreaterThanOrEqual(column, Vector512<int>.Zero),
                            Vector512.LessThan(column, Vector512.Create(_width))).AsSingle());
                    }
                }
                groups.Add(new LaneGroup { Image = n, TileRow = tr, TileCol = tc, Count = count, Offset = (int)(t - t0), Masks = maskIndex });
                t += count;
            }
            var spans = new List<(int Image, int Row, int Rows)>();
            foreach (var g in groups)
            {
                int first = Math.Max(0, g.TileRow * tile - _padH), end = Math.Min(_height, g.TileRow * tile - _padH + alpha);
                if (spans.Count > 0 && spans[^1].Image == g.Image && spans[^1].Row + spans[^1].Rows >= first)
                {
                    var last = spans[^1];
                    spans[^1] = (last.Image, last.Row, Math.Max(last.Rows, end - last.Row));
                }
                else if (end > first)
                {
                    spans.Add((g.Image, first, end - first));
                }
            }
            int ld = (tiles + _kernel.Nr - 1) / _kernel.Nr * _kernel.Nr;
            int positions = _t.Positions;
            var v = AlignedBufferPool.Shared.Rent(positions * VRegion(ld));
            var m = AlignedBufferPool.Shared.Rent(positions * MRegion(ld) + Lanes);
            if (tiles < ld) ClearPanelTails(v.Pointer, tiles, ld);
            return new Block { Groups = groups.ToArray(), ColumnMasks = masks.ToArray(), RowSpans = spans.ToArray(), Tiles = tiles, Ld = ld, V = v, M = m };
        }

        public void End(Block block)
        {
            AlignedBufferPool.Shared.Return(block.V);
            AlignedBufferPool.Shared.Return(block.M);
        }

        /// <summary>Zeros the columns of the last B panels beyond the block's tiles (they are multiplied too).</summary>
        private void ClearPanelTails(float* v, int tiles, int ld)
        {
            int nr = _kernel.Nr, lastPanel = tiles / nr, used = tiles % nr;
            for (int xi = 0; xi < _t.Positions; xi++)
            {
                float* region = v + xi * VRegion(ld);
                for (int p0 = 0; p0 < InChannels; p0 += _kcBlock)
                {
                    int kc = Math.Min(_kcBlock, InChannels - p0);
                    float* panel = region + (long)p0 * ld + (long)lastPanel * nr * kc;
                    for (int q = 0; q < kc; q++) new Span<float>(panel + q * nr + used, nr - used).Clear();
                }
            }
        }

        /// <summary>V for input channels [c0, c1) of the block's tiles, written as packed B panels (k-major, Nr wide).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Input(Block block, int c0, int c1)
        {
            int alpha = _t.Alpha, tile = _t.Tile, reach = _t.RowReach, plane = _height * _width, ld = block.Ld, nr = _kernel.Nr;
            nint positionStride = (nint)VRegion(ld);
            float* scratch = stackalloc float[6 * 80];
            float* xEnd = X + _xLength;
            fixed (Vector512<float>* allMasks = block.ColumnMasks)
            {
                for (int c = c0; c < c1; c++)
                {
                    // The rows of a channel plane are short runs far apart: ask for the next channel's rows
                    // now, so that they arrive while this channel is transformed.
                    if (c + 1 < c1) Prefetch(block, c + 1);
                    int p0 = c / _kcBlock * _kcBlock, q = c - p0, kc = Math.Min(_kcBlock, InChannels - p0);
                    float* kBlock = block.V.Pointer + (long)p0 * ld + q * nr;
                    foreach (var g in block.Groups)
                    {
                        float* image = X + ((long)g.Image * InChannels + c) * plane;
                        int row0 = g.TileRow * tile - _padH, col0 = g.TileCol * tile - _padW;
                        int rowLo = Math.Max(0, -row0), rowHi = Math.Min(alpha, _height - row0);
                        Vector512<float>* masks = g.Masks >= 0 ? allMasks + g.Masks : null;
                        float* src = image + (long)row0 * _width + col0;
                        nint rowStride = _width;
                        if (src + (long)(rowHi - 1) * _width + reach > xEnd || src + (long)rowLo * _width < X)
                        {
                            // The loads would leave the tensor's memory (its first or last row): copy the rows.
                            for (int i = rowLo; i < rowHi; i++)
                            {
                                var row = new Span<float>(scratch + i * reach, reach);
                                row.Clear();
                                int lo = Math.Max(0, -col0), hi = Math.Min(reach, _width - col0);
                                if (lo < hi) new ReadOnlySpan<float>(image + (long)(row0 + i) * _width + col0 + lo, hi - lo).CopyTo(row[lo..]);
                            }
                            src = scratch;
                            rowStride = reach;
                        }
                        int lane0 = g.Offset % nr, panel = g.Offset / nr;
                        float* first = kBlock + (long)panel * nr * kc + lane0;
                        var dest = new WinogradTransform.LaneDestination(first, first - lane0 + (long)nr * kc, nr - lane0, g.Count, positionStride);
                        _t.Input(src, rowStride, rowLo, rowHi, masks, dest);
                    }
                }
            }
        }

        private void Prefetch(Block block, int c)
        {
            if (!System.Runtime.Intrinsics.X86.Sse.IsSupported) return;
            int plane = _height * _width;
            foreach (var (image, row, rows) in block.RowSpans)
            {
                byte* start = (byte*)(X + ((long)image * InChannels + c) * plane + (long)row * _width);
                long bytes = (long)rows * _width * sizeof(float);
                for (long b = 0; b < bytes; b += 64) System.Runtime.Intrinsics.X86.Sse.Prefetch0(start + b);
            }
        }

        /// <summary>M_ξ = U_ξ · V_ξ for positions [p0, p1), by the micro-kernel on packed panels.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Multiply(Block block, int p0, int p1)
        {
            int ld = block.Ld, inC = InChannels, outC = OutChannels, mr = _kernel.Mr, nr = _kernel.Nr;
            int mPanels = (outC + mr - 1) / mr, nPanels = ld / nr;
            long mPad = (long)mPanels * mr;
            float* tile = stackalloc float[12 * 48];
            var run = _kernel.Run;
            for (int xi = p0; xi < p1; xi++)
            {
                float* a = _u[xi].Pointer;
                float* v = block.V.Pointer + xi * VRegion(ld);
                float* m = block.M.Pointer + xi * MRegion(ld);
                for (int k0 = 0; k0 < inC; k0 += _kcBlock)
                {
                    int kc = Math.Min(_kcBlock, inC - k0);
                    float beta = k0 == 0 ? 0f : 1f;
                    float* aBlock = a + k0 * mPad;
                    float* bBlock = v + (long)k0 * ld;
                    for (int ip = 0; ip < mPanels; ip++)
                    {
                        int rows = Math.Min(mr, outC - ip * mr), kernelRows = mr;
                        var rowRun = rows == mr ? run : _kernel.ForRows(rows, out kernelRows);
                        float* ap = aBlock + (long)ip * mr * kc;
                        float* cRow = m + (long)ip * mr * ld;
                        for (int jp = 0; jp < nPanels; jp++)
                        {
                            float* bp = bBlock + (long)jp * nr * kc;
                            if (rows == kernelRows)
                            {
                                rowRun(kc, ap, bp, cRow + jp * nr, ld, 1f, beta);
                            }
                            else
                            {
                                rowRun(kc, ap, bp, tile, nr, 1f, 0f);
                                for (int i = 0; i < rows; i++)
                                {
                                    float* d = cRow + (long)i * ld + jp * nr;
                                    for (int j = 0; j < nr; j++) d[j] = tile[i * nr + j] + beta * d[j];
                                }
                            }
                        }
                    }
                }
            }
            GC.KeepAlive(_u);
        }

        /// <summary>y for output channels [k0, k1) of the block's tiles.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Output(Block block, int k0, int k1)
        {
            int tile = _t.Tile, plane = _outHeight * _outWidth;
            nint positionStride = (nint)MRegion(block.Ld);
            for (int k = k0; k < k1; k++)
            {
                float* m = block.M.Pointer + (long)k * block.Ld;
                float bias = _bias?[k] ?? 0f;
                foreach (var g in block.Groups)
                {
                    int oy = g.TileRow * tile, ox = g.TileCol * tile;
                    int rows = Math.Min(tile, _outHeight - oy), cols = Math.Min(tile * g.Count, _outWidth - ox);
                    float* dst = Y + ((long)g.Image * OutChannels + k) * plane + (long)oy * _outWidth + ox;
                    _t.Output(m + g.Offset, positionStride, bias, dst, _outWidth, rows, cols);
                }
            }
        }
    }
}
