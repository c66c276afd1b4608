namespace EvalHarness.Engine.Gemm;

/// <summary>
/// Chooses the process-wide GEMM. Order: an explicit <see cref="Use"/> call (the config), then the
/// EVALHARNESS_GEMM environment variable (managed | openblas | naive), then the managed SIMD kernel,
/// which measured faster than OpenBLAS 0.3.21 on the convolution and fully connected shapes of
/// VGG16 and ResNet-50 (bench/EvalHarness.Benchmarks --gemm-quick: 105–170 GFLOP/s against 70–150 on
/// 2 threads, and more with pre-packed weights, which only the managed kernel can use directly).
/// </summary>
public static class GemmProvider
{
    public const string EnvironmentVariable = "EVALHARNESS_GEMM";

    private static IGemm? _current;

    public static IReadOnlyList<string> Names { get; } = ["managed", "openblas", "naive"];

    public static IGemm Current
    {
        get => _current ??= Resolve(Environment.GetEnvironmentVariable(EnvironmentVariable));
        set => _current = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Forgets the current choice so the next <see cref="Current"/> resolves it again (tests).</summary>
    internal static void Reset() => _current = null;

    /// <summary>Selects a provider by name ("auto" restores the default choice).</summary>
    public static IGemm Use(string name)
    {
        _current = Resolve(name);
        return _current;
    }

    public static IGemm Resolve(string? name)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case null or "" or "auto":
            case "managed":
                return ManagedGemm.Instance;
            case "naive":
                return NaiveGemm.Instance;
            case "openblas":
                if (OpenBlasGemm.TryCreate(out var ob)) return ob!;
                throw new EvalHarnessException(
                    $"GEMM provider 'openblas' was requested but libopenblas could not be loaded ({OpenBlasGemm.LoadError}). " +
                    "Install it (Debian: apt-get install libopenblas0-pthread) or choose 'managed'.");
            default:
                throw new UnknownNameException(NameMatcher.UnknownMessage("GEMM provider", name!, [.. Names, "auto"]));
        }
    }
}
