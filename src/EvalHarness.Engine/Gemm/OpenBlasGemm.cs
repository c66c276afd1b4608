using System.Reflection;
using System.Runtime.InteropServices;

namespace EvalHarness.Engine.Gemm;

/// <summary>
/// cblas_sgemm from OpenBLAS through function pointers. The library is looked up as libopenblas.so.0
/// (Debian's libopenblas0-pthread) or libopenblas.so; its thread count is set explicitly (default:
/// the processor count). OpenBLAS's pthread workers otherwise busy-wait for about 2^28 cycles after
/// every call (measured here: a third of a core burnt while the caller slept), competing with the
/// caller's own threads; unless OPENBLAS_THREAD_TIMEOUT is already set, it is set to
/// <see cref="ThreadTimeoutExponent"/> before the library loads, so idle workers go to sleep after
/// about 30 µs. The setting is process-wide, as is the thread count.
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
    private readonly delegate* unmanaged<int> _getThreads;
    private int _threads;

    /// <summary>OpenBLAS idle workers spin for 2^this cycles before sleeping (its default is 28; it accepts 4–30).</summary>
    public const int ThreadTimeoutExponent = 16;

    private OpenBlasGemm(nint handle)
    {
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)
            NativeLibrary.GetExport(handle, "cblas_sgemm");
        _setThreads = NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out var st)
            ? (delegate* unmanaged<int, void>)st : null;
        _getThreads = NativeLibrary.TryGetExport(handle, "openblas_get_num_threads", out var gt)
            ? (delegate* unmanaged<int>)gt : null;
        Config = Describe(handle);
        SetThreads(Environment.ProcessorCount);
    }

    /// <summary>The library's own description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ... (core SkylakeX)".</summary>
    public string Config { get; }

    public static string? LoadError { get; private set; }

    public string Name => "openblas";

    /// <summary>The thread count OpenBLAS reports (process-wide).</summary>
    public int Threads => _getThreads != null ? _getThreads() : _threads;

    /// <summary>Sets OpenBLAS's thread count for the whole process; 0 or less means the processor count.</summary>
    public void SetThreads(int threads)
    {
        _threads = threads > 0 ? threads : Environment.ProcessorCount;
        if (_setThreads != null) _setThreads(_threads);
    }

    public static bool TryCreate(out OpenBlasGemm? gemm)
    {
        lock (Gate)
        {
            if (!_probed)
            {
                _probed = true;
                var errors = new List<string>();
                LimitIdleSpinning();
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

    private static string Describe(nint handle)
    {
        string text = "OpenBLAS";
        if (NativeLibrary.TryGetExport(handle, "openblas_get_config", out var config))
            text = Marshal.PtrToStringAnsi((nint)((delegate* unmanaged<byte*>)config)()) ?? text;
        if (NativeLibrary.TryGetExport(handle, "openblas_get_corename", out var core))
            text += $" (core {Marshal.PtrToStringAnsi((nint)((delegate* unmanaged<byte*>)core)())})";
        return text;
    }

    /// <summary>
    /// Sets OPENBLAS_THREAD_TIMEOUT in the native environment (OpenBLAS reads it when it loads;
    /// .NET's Environment.SetEnvironmentVariable does not reach native code on Unix). Kept when set.
    /// </summary>
    private static void LimitIdleSpinning()
    {
        if (OperatingSystem.IsWindows()) return;
        try
        {
            SetEnv("OPENBLAS_THREAD_TIMEOUT", ThreadTimeoutExponent.ToString(System.Globalization.CultureInfo.InvariantCulture), 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc setenv: OpenBLAS keeps its default.
        }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);

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
