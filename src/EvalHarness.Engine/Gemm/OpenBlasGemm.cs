using System.Reflection;
using System.Runtime.InteropServices;

namespace EvalHarness.Engine.Gemm;

/// <summary>
/// cblas_sgemm from OpenBLAS through P/Invoke. The library is looked up as libopenblas.so.0 (Debian's
/// libopenblas0-pthread) or libopenblas.so; its thread count is set explicitly (never left to spin).
/// </summary>
public sealed unsafe class OpenBlasGemm : IGemm
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;
    private static readonly string[] Candidates = ["libopenblas.so.0", "libopenblas.so", "libopenblas", "openblas"];
    private static readonly object Gate = new();
    private static bool _probed;
    private static OpenBlasGemm? _instance;

    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    private readonly delegate* unmanaged<int, void> _setThreads;

    private OpenBlasGemm(nint handle)
    {
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)
            NativeLibrary.GetExport(handle, "cblas_sgemm");
        _setThreads = NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out var st)
            ? (delegate* unmanaged<int, void>)st : null;
        SetThreads(Environment.ProcessorCount);
    }

    public static string? LoadError { get; private set; }

    public string Name => "openblas";

    public int Threads { get; private set; }

    public void SetThreads(int threads)
    {
        Threads = Math.Max(1, threads);
        if (_setThreads != null) _setThreads(Threads);
    }

    public static bool TryCreate(out OpenBlasGemm? gemm)
    {
        lock (Gate)
        {
            if (!_probed)
            {
                _probed = true;
                var errors = new List<string>();
                foreach (var name in Candidates)
                {
                    if (NativeLibrary.TryLoad(name, Assembly.GetExecutingAssembly(), null, out var h))
                    {
                        try
                        {
                            _instance = new OpenBlasGemm(h);
                            break;
                        }
                        catch (EntryPointNotFoundException e)
                        {
                            errors.Add($"{name}: {e.Message}");
                        }
                    }
                    else
                    {
                        errors.Add($"{name} not found");
                    }
                }
                if (_instance is null) LoadError = string.Join("; ", errors);
            }
            gemm = _instance;
            return gemm is not null;
        }
    }

    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        GemmChecks.Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            GemmScale.ScaleC(m, n, beta, c, ldc);
            return;
        }
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha,
                pa, Math.Max(1, lda), pb, Math.Max(1, ldb), beta, pc, Math.Max(1, ldc));
        }
    }
}
