using System.Runtime.CompilerServices;

namespace EvalHarness.Engine.Gemm;

/// <summary>
/// The always-available managed SGEMM, blocked as in BLIS (Van Zee &amp; van de Geijn, ACM TOMS 2015;
/// Goto &amp; van de Geijn, "Anatomy of High-Performance Matrix Multiplication", ACM TOMS 2008).
/// op(A) is packed into Mr-row panels per K block (KcMax = 384: one A micro-panel stays in L1), op(B)
/// into Nr-column panels per K block × Nc = 640 columns (≈1 MB, stays in the 2 MB L2), and a
/// register-blocked micro-kernel (Vector512 12×32, or Vector256 6×16 without AVX-512) computes each
/// Mr×Nr tile of C; a last partial row panel uses a 4- or 8-row kernel, ragged tiles go through a
/// scratch tile. Products above a few MFLOP are split over <see cref="Threads"/> threads by C's
/// columns (each thread packs its own B blocks) or, when that balances clearly better, by its rows.
/// Pack buffers are pooled 64-byte-aligned native memory; constant operands can be packed once with
/// <see cref="Pack"/>. Measured figures: bench/EvalHarness.Benchmarks (--gemm-quick).
/// </summary>
public sealed unsafe class ManagedGemm : IGemm
{
    private readonly MicroKernel _kernel;
    private int _threads;

    /// <summary>A GEMM with its own thread count (0 = <see cref="Environment.ProcessorCount"/>).</summary>
    public ManagedGemm(int threads = 0) : this(threads, MicroKernel.Best) { }

    internal ManagedGemm(int threads, MicroKernel kernel)
    {
        _kernel = kernel;
        Threads = threads;
    }

    /// <summary>The shared instance; its <see cref="Threads"/> defaults to the processor count.</summary>
    public static ManagedGemm Instance { get; } = new();

    public string Name => "managed";

    /// <summary>The micro-kernel in use, e.g. "Vector512 12x32".</summary>
    public string Kernel => _kernel.Name;

    /// <summary>Most threads one call uses (threads block while idle, they never spin). 0 or less resets to the processor count.</summary>
    public int Threads
    {
        get => _threads;
        set => _threads = value > 0 ? value : Environment.ProcessorCount;
    }

    /// <summary>Frees the pack buffers kept for later calls (they are re-created on demand).</summary>
    public static void ReleaseBuffers() => AlignedBufferPool.Shared.Trim();

    /// <summary>Below this many flops (tens of microseconds) one thread beats a fork and join.</summary>
    internal double ParallelMinFlops { get; init; } = 1 << 22;

    /// <summary>A packed copy of A larger than this (64 MB) is made in row chunks.</summary>
    internal long PackedALimitFloats { get; init; } = 16L << 20;

    /// <summary>When rows are split over threads, B up to this size (32 MB) is packed once and shared.</summary>
    internal long SharedBLimitFloats { get; init; } = 8L << 20;

    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        GemmChecks.Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0)
        {
            GemmScale.ScaleC(m, n, beta, c, ldc);
            return;
        }
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            Run(new Job(_kernel, m, n, k, alpha, beta, pc, ldc)
            {
                A = pa, Lda = lda, TransA = transA,
                B = pb, Ldb = ldb, TransB = transB,
            });
        }
    }

    public IPackedMatrix Pack(GemmOperand operand, bool transpose, int rows, int cols, ReadOnlySpan<float> data, int ld)
    {
        GemmChecks.ValidatePack(operand, transpose, rows, cols, data.Length, ld);
        int wide = operand == GemmOperand.A ? rows : cols, depth = operand == GemmOperand.A ? cols : rows;
        int w = operand == GemmOperand.A ? _kernel.Mr : _kernel.Nr;
        int kcBlock = KBlock(depth);
        long padded = (wide + w - 1) / w * (long)w;
        var buffer = new AlignedBuffer(padded * depth);
        fixed (float* src = data)
        {
            // op(X)'s panelled dimension runs along the stored rows for (A, not transposed) and
            // (B, transposed): those panels are transposes; the other two are row copies.
            bool transposing = (operand == GemmOperand.A) != transpose;
            for (int p0 = 0; p0 < depth; p0 += kcBlock)
            {
                int kc = Math.Min(kcBlock, depth - p0);
                for (int x0 = 0; x0 < wide; x0 += w)
                {
                    float* dst = buffer.Pointer + p0 * padded + (long)x0 * kc;
                    int width = Math.Min(w, wide - x0);
                    if (transposing) GemmPacking.PackColumns(src + (nint)x0 * ld + p0, ld, width, w, kc, dst);
                    else GemmPacking.PackRows(src + (nint)p0 * ld + x0, ld, width, w, kc, dst);
                }
            }
        }
        return new ManagedPackedMatrix(operand, rows, cols, _kernel, kcBlock, buffer);
    }

    public void Sgemm(IPackedMatrix a, bool transB, int n, float alpha, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        GemmChecks.ValidatePacked(a, GemmOperand.A);
        if (a is not ManagedPackedMatrix pa || pa.PanelWidth != _kernel.Mr)
        {
            ContiguousPackedMatrix.SgemmUnpacked(this, a, transB, n, alpha, b, ldb, beta, c, ldc);
            return;
        }
        int m = pa.Rows, k = pa.Cols;
        GemmChecks.Validate(false, transB, m, n, k, m * k, Math.Max(1, k), b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0)
        {
            GemmScale.ScaleC(m, n, beta, c, ldc);
            return;
        }
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            Run(new Job(_kernel, m, n, k, alpha, beta, pc, ldc)
            {
                PackedA = pa.Pointer, KcBlock = pa.KcBlock,
                B = pb, Ldb = ldb, TransB = transB,
            });
        }
        GC.KeepAlive(pa);
    }

    public void Sgemm(bool transA, int m, float alpha, ReadOnlySpan<float> a, int lda, IPackedMatrix b,
        float beta, Span<float> c, int ldc)
    {
        GemmChecks.ValidatePacked(b, GemmOperand.B);
        if (b is not ManagedPackedMatrix pb || pb.PanelWidth != _kernel.Nr)
        {
            ContiguousPackedMatrix.SgemmUnpacked(this, transA, m, alpha, a, lda, b, beta, c, ldc);
            return;
        }
        int k = pb.Rows, n = pb.Cols;
        GemmChecks.Validate(transA, false, m, n, k, a.Length, lda, k * n, Math.Max(1, n), c.Length, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0)
        {
            GemmScale.ScaleC(m, n, beta, c, ldc);
            return;
        }
        fixed (float* pa = a)
        fixed (float* pc = c)
        {
            Run(new Job(_kernel, m, n, k, alpha, beta, pc, ldc)
            {
                A = pa, Lda = lda, TransA = transA,
                PackedB = pb.Pointer, BIsShared = true, KcBlock = pb.KcBlock,
            });
        }
        GC.KeepAlive(pb);
    }

    /// <summary>The K block: at most KcMax, split evenly so the last block is not a sliver.</summary>
    private int KBlock(int k)
    {
        if (k <= _kernel.KcMax) return Math.Max(1, k);
        int blocks = (k + _kernel.KcMax - 1) / _kernel.KcMax;
        return (k + blocks - 1) / blocks;
    }

    private void Run(Job job)
    {
        if (job.KcBlock == 0) job.KcBlock = KBlock(job.K);
        var kernel = job.Kernel;
        if (job.PackedA == null && (long)job.MPanels * kernel.Mr * job.K > PackedALimitFloats)
        {
            // A is too large to pack whole: multiply it in row chunks (B is packed again per chunk).
            int chunk = (int)Math.Max(kernel.Mr, PackedALimitFloats / job.K / kernel.Mr * kernel.Mr);
            for (int i0 = 0; i0 < job.M; i0 += chunk)
                RunWhole(job.RowChunk(i0, Math.Min(chunk, job.M - i0)));
            return;
        }
        RunWhole(job);
    }

    private void RunWhole(Job job)
    {
        var kernel = job.Kernel;
        int threads = Math.Max(1, _threads);
        if (2.0 * job.M * job.N * job.K < ParallelMinFlops) threads = 1;
        if (threads > 1)
        {
            // Split C's columns (each thread packs its own B blocks) unless splitting rows balances clearly better.
            double effN = Balance(job.NPanels, threads), effM = Balance(job.MPanels, threads);
            job.SplitN = effN + 0.1 >= effM;
            threads = Math.Min(threads, job.SplitN ? job.NPanels : job.MPanels);
            if (!job.SplitN && job.PackedB == null && (long)job.K * job.NPanels * kernel.Nr <= SharedBLimitFloats)
                job.BIsShared = true;
        }
        job.Threads = threads;

        AlignedBuffer? aBuffer = null, bBuffer = null;
        try
        {
            if (job.PackedA == null)
            {
                aBuffer = AlignedBufferPool.Shared.Rent((long)job.MPanels * kernel.Mr * job.K);
                job.PackedA = aBuffer.Pointer;
                job.PackAPending = true;
            }
            if (job.BIsShared && job.PackedB == null)
            {
                bBuffer = AlignedBufferPool.Shared.Rent((long)job.NPanels * kernel.Nr * job.K);
                job.PackedB = bBuffer.Pointer;
                job.PackBPending = true;
            }
            // With rows split (or one thread) every thread reads only its own A panels: it packs each
            // right before its first use, where the packing's memory reads overlap the other thread's work.
            job.PackAInline = job.PackAPending && (threads == 1 || !job.SplitN);
            if (job.PackAInline) job.PackAPending = false;
            if (threads == 1)
            {
                job.PackShare(0);
                job.ComputeShare(0);
            }
            else
            {
                var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
                if (job.PackAPending || job.PackBPending) Parallel.For(0, threads, options, job.PackShare);
                Parallel.For(0, threads, options, job.ComputeShare);
            }
        }
        finally
        {
            AlignedBufferPool.Shared.Return(aBuffer);
            AlignedBufferPool.Shared.Return(bBuffer);
        }
    }

    /// <summary>Fraction of the slowest thread's time that is useful when panels are dealt out evenly.</summary>
    private static double Balance(int panels, int threads) => panels / (double)(threads * ((panels + threads - 1) / threads));

    /// <summary>One product: its operands, the packed layouts and the split over threads.</summary>
    private sealed class Job
    {
        public Job(MicroKernel kernel, int m, int n, int k, float alpha, float beta, float* c, int ldc)
        {
            Kernel = kernel;
            M = m;
            N = n;
            K = k;
            Alpha = alpha;
            Beta = beta;
            C = c;
            Ldc = ldc;
        }

        public MicroKernel Kernel { get; }

        public int M { get; }

        public int N { get; }

        public int K { get; }

        public float Alpha { get; }

        public float Beta { get; }

        public float* C { get; }

        public nint Ldc { get; }

        public float* A { get; init; }

        public nint Lda { get; init; }

        public bool TransA { get; init; }

        public float* B { get; init; }

        public nint Ldb { get; init; }

        public bool TransB { get; init; }

        public int KcBlock { get; set; }

        /// <summary>All of op(A), packed (by this job when <see cref="PackAPending"/>).</summary>
        public float* PackedA { get; set; }

        /// <summary>All of op(B), packed, when shared by the threads; null when each thread packs its blocks.</summary>
        public float* PackedB { get; set; }

        public bool BIsShared { get; set; }

        public bool PackAPending { get; set; }

        public bool PackBPending { get; set; }

        /// <summary>Each thread packs its A panels in <see cref="ComputeShare"/> (rows split or one thread).</summary>
        public bool PackAInline { get; set; }

        public bool SplitN { get; set; }

        public int Threads { get; set; } = 1;

        public int MPanels => (M + Kernel.Mr - 1) / Kernel.Mr;

        public int NPanels => (N + Kernel.Nr - 1) / Kernel.Nr;

        public int KBlocks => (K + KcBlock - 1) / KcBlock;

        public Job RowChunk(int i0, int rows) => new(Kernel, rows, N, K, Alpha, Beta, C + i0 * Ldc, (int)Ldc)
        {
            A = TransA ? A + i0 : A + i0 * Lda, Lda = Lda, TransA = TransA,
            B = B, Ldb = Ldb, TransB = TransB,
            PackedB = PackedB, BIsShared = BIsShared, KcBlock = KcBlock,
        };

        private (int Start, int End) Share(int total, int thread) =>
            ((int)((long)total * thread / Threads), (int)((long)total * (thread + 1) / Threads));

        /// <summary>Packs this thread's share of the A panels and, when shared, of the B panels.</summary>
        public void PackShare(int thread)
        {
            if (PackAPending)
            {
                var (ip0, ip1) = Share(MPanels, thread);
                int mr = Kernel.Mr;
                long mPad = (long)MPanels * mr;
                for (int kb = 0; kb < KBlocks; kb++)
                {
                    int p0 = kb * KcBlock, kc = Math.Min(KcBlock, K - p0);
                    for (int ip = ip0; ip < ip1; ip++)
                        PackAPanel(ip, p0, kc, PackedA + p0 * mPad + (long)ip * mr * kc);
                }
            }
            if (PackBPending)
            {
                var (jp0, jp1) = Share(NPanels, thread);
                long nPad = (long)NPanels * Kernel.Nr;
                for (int kb = 0; kb < KBlocks; kb++)
                {
                    int p0 = kb * KcBlock, kc = Math.Min(KcBlock, K - p0);
                    for (int jp = jp0; jp < jp1; jp++)
                        PackBPanel(jp, p0, kc, PackedB + p0 * nPad + (long)jp * Kernel.Nr * kc);
                }
            }
        }

        private void PackAPanel(int ip, int p0, int kc, float* dst)
        {
            int mr = Kernel.Mr, i0 = ip * mr, width = Math.Min(mr, M - i0);
            if (TransA) GemmPacking.PackRows(A + p0 * Lda + i0, Lda, width, mr, kc, dst);
            else GemmPacking.PackColumns(A + i0 * Lda + p0, Lda, width, mr, kc, dst);
        }

        private void PackBPanel(int jp, int p0, int kc, float* dst)
        {
            int nr = Kernel.Nr, j0 = jp * nr, width = Math.Min(nr, N - j0);
            if (TransB) GemmPacking.PackColumns(B + j0 * Ldb + p0, Ldb, width, nr, kc, dst);
            else GemmPacking.PackRows(B + p0 * Ldb + j0, Ldb, width, nr, kc, dst);
        }

        /// <summary>Computes this thread's rows or columns of C.</summary>
        public void ComputeShare(int thread)
        {
            var (ip0, ip1) = SplitN ? (0, MPanels) : Share(MPanels, thread);
            var (jp0, jp1) = SplitN ? Share(NPanels, thread) : (0, NPanels);
            if (ip0 >= ip1 || jp0 >= jp1) return;
            int mr = Kernel.Mr, nr = Kernel.Nr;
            int ncPanels = Kernel.Nc / nr;
            long blockFloats = PackedB == null ? (long)KcBlock * ncPanels * nr : 0;
            var work = AlignedBufferPool.Shared.Rent(blockFloats + mr * nr);
            try
            {
                float* tile = work.Pointer + blockFloats;
                long mPad = (long)MPanels * mr, nPad = (long)NPanels * nr;
                var run = Kernel.Run;
                for (int jc = jp0; jc < jp1; jc += ncPanels)
                {
                    int jcEnd = Math.Min(jp1, jc + ncPanels);
                    for (int kb = 0; kb < KBlocks; kb++)
                    {
                        int p0 = kb * KcBlock, kc = Math.Min(KcBlock, K - p0);
                        float* bBlock;
                        if (PackedB != null)
                        {
                            bBlock = PackedB + p0 * nPad + (long)jc * nr * kc;
                        }
                        else
                        {
                            bBlock = work.Pointer;
                            if (TransB)
                                for (int jp = jc; jp < jcEnd; jp++) PackBPanel(jp, p0, kc, bBlock + (long)(jp - jc) * nr * kc);
                            else
                                GemmPacking.PackRowsBlock(B + p0 * Ldb + jc * nr, Ldb, Math.Min(N, jcEnd * nr) - jc * nr, nr, kc, bBlock);
                        }
                        float beta = kb == 0 ? Beta : 1f;
                        float* aBlock = PackedA + p0 * mPad;
                        for (int ip = ip0; ip < ip1; ip++)
                        {
                            int i0 = ip * mr, rows = Math.Min(mr, M - i0);
                            float* ap = aBlock + (long)ip * mr * kc;
                            if (PackAInline && jc == jp0) PackAPanel(ip, p0, kc, ap);
                            float* cRow = C + i0 * Ldc;
                            int kernelRows = mr;
                            var rowRun = rows == mr ? run : Kernel.ForRows(rows, out kernelRows);
                            for (int jp = jc; jp < jcEnd; jp++)
                            {
                                int j0 = jp * nr, cols = Math.Min(nr, N - j0);
                                float* bp = bBlock + (long)(jp - jc) * nr * kc;
                                if (rows == kernelRows && cols == nr)
                                {
                                    rowRun(kc, ap, bp, cRow + j0, Ldc, Alpha, beta);
                                }
                                else
                                {
                                    rowRun(kc, ap, bp, tile, nr, Alpha, 0f);
                                    StoreEdge(tile, nr, cRow + j0, Ldc, rows, cols, beta);
                                }
                            }
                        }
                    }
                }
            }
            finally
            {
                AlignedBufferPool.Shared.Return(work);
            }
        }

        /// <summary>C = tile + beta·C on the valid rows×cols of a ragged edge tile (beta = 0: C is not read).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void StoreEdge(float* tile, int tileLd, float* c, nint ldc, int rows, int cols, float beta)
        {
            for (int i = 0; i < rows; i++)
            {
                float* t = tile + i * tileLd;
                float* d = c + i * ldc;
                if (beta == 0)
                    for (int j = 0; j < cols; j++) d[j] = t[j];
                else
                    for (int j = 0; j < cols; j++) d[j] = t[j] + beta * d[j];
            }
        }
    }
}
