using System.Collections.Concurrent;

namespace EvalHarness.Engine.Tests.Gemm;

public class GemmCorrectnessTests
{
    /// <summary>
    /// (m, n, k): odd sizes, exact and ±1 around the 12×32 and 6×16 tiles, the 384-deep K block and
    /// the 640-column B block, empty dimensions, and shapes big enough to go parallel.
    /// </summary>
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (1, 7, 13), (7, 1, 13), (13, 7, 1), (1, 1, 257), (31, 33, 65), (33, 31, 7), (65, 127, 13),
        (127, 65, 33), (257, 33, 31), (33, 257, 127), (12, 32, 16), (6, 16, 5), (11, 31, 17), (25, 65, 9),
        (24, 64, 384), (13, 33, 383), (12, 32, 385), (11, 17, 769), (3, 640, 5), (13, 641, 3), (37, 639, 11),
        (127, 257, 65), (257, 127, 40), (200, 31, 100), (16, 33, 20), (64, 96, 50), (40, 64, 30), (20, 100, 9), (5, 4, 0), (0, 5, 4), (5, 0, 4), (0, 0, 0),
    ];

    private static readonly (float Alpha, float Beta)[] Scalars = [(1, 0), (1, 1), (-2, 0.25f), (0.5f, 0), (0, 0.5f), (0, 0)];

    public static IEnumerable<object[]> Cases()
    {
        foreach (var provider in GemmProviders.Names)
            for (int s = 0; s < Shapes.Length; s++)
                yield return [provider, Shapes[s].M, Shapes[s].N, Shapes[s].K];
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Matches_the_double_reference_for_every_transpose_and_stride(string provider, int m, int n, int k)
    {
        var gemm = GemmProviders.GetOrSkip(provider);
        foreach (var x in Problems(m, n, k))
        {
            var c = (float[])x.C.Clone();
            gemm.Sgemm(x.TransA, x.TransB, m, n, k, x.Alpha, x.A, x.Lda, x.B, x.Ldb, x.Beta, c, x.Ldc);
            GemmReference.AssertClose($"{provider} {(x.TransA ? "T" : "N")}{(x.TransB ? "T" : "N")} {m}×{n}×{k} lda={x.Lda} ldb={x.Ldb} ldc={x.Ldc} alpha={x.Alpha} beta={x.Beta}",
                x.Expected, c, m, n, x.Ldc, x.C);
        }
    }

    private sealed record Problem(bool TransA, bool TransB, float Alpha, float Beta, float[] A, int Lda, float[] B, int Ldb,
        float[] C, int Ldc, (double[] Value, double[] Bound) Expected);

    private static readonly ConcurrentDictionary<(int, int, int), Problem[]> Cache = new();

    /// <summary>The operands and reference results of one shape, shared by all providers.</summary>
    private static Problem[] Problems(int m, int n, int k) => Cache.GetOrAdd((m, n, k), _ =>
    {
        var rng = new Random(m * 1000003 + n * 1009 + k);
        var list = new List<Problem>();
        int combo = 0;
        foreach (bool transA in new[] { false, true })
        {
            foreach (bool transB in new[] { false, true })
            {
                foreach (bool strided in new[] { false, true })
                {
                    // Every transpose pair meets beta = 0 (over NaN) and beta ≠ 0; the scalars rotate through the rest.
                    var (alpha, beta) = Scalars[(combo++ + (strided ? 1 : 0)) % Scalars.Length];
                    int pad = strided ? 3 : 0;
                    int aRows = transA ? k : m, aCols = transA ? m : k;
                    int bRows = transB ? n : k, bCols = transB ? k : n;
                    int lda = Math.Max(1, aCols + pad), ldb = Math.Max(1, bCols + pad), ldc = Math.Max(1, n + pad);
                    var a = GemmReference.Strided(rng, aRows, aCols, lda);
                    var b = GemmReference.Strided(rng, bRows, bCols, ldb);
                    var c = GemmReference.Strided(rng, m, n, ldc);
                    if (beta == 0) Array.Fill(c, float.NaN);
                    else for (int i = 0; i < m; i++) Array.Fill(c, 12345f, i * ldc + n, Math.Min(ldc - n, c.Length - i * ldc - n));
                    var expected = GemmReference.Compute(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
                    list.Add(new Problem(transA, transB, alpha, beta, a, lda, b, ldb, c, ldc, expected));
                }
            }
        }
        return [.. list];
    });

    [SkippableTheory]
    [MemberData(nameof(ProviderNames))]
    public void Calls_do_not_leak_state_into_each_other(string provider)
    {
        // The same product twice with pooled buffers reused in between a product of another shape.
        var gemm = GemmProviders.GetOrSkip(provider);
        var rng = new Random(5);
        var a = GemmReference.Strided(rng, 70, 90, 90);
        var b = GemmReference.Strided(rng, 90, 50, 50);
        var first = new float[70 * 50];
        var second = new float[70 * 50];
        gemm.Sgemm(false, false, 70, 50, 90, 1f, a, 90, b, 50, 0f, first, 50);
        var other = new float[50 * 70];
        gemm.Sgemm(true, true, 50, 70, 90, 1f, b, 50, a, 90, 0f, other, 70);
        gemm.Sgemm(false, false, 70, 50, 90, 1f, a, 90, b, 50, 0f, second, 50);
        Assert.Equal(first, second);
        // (A·B)ᵀ = Bᵀ·Aᵀ: the transposed call computed the same values (possibly summed in another order).
        for (int i = 0; i < 70; i++)
            for (int j = 0; j < 50; j++)
                Assert.True(Math.Abs(first[i * 50 + j] - other[j * 70 + i]) <= 1e-4f, $"{provider}: (A·B)ᵀ ≠ Bᵀ·Aᵀ at [{i},{j}]");
    }

    public static IEnumerable<object[]> ProviderNames() => GemmProviders.Names.Select(n => new object[] { n });

    [Fact]
    public void Invalid_arguments_name_the_problem()
    {
        var gemm = Engine.Gemm.ManagedGemm.Instance;
        var a = new float[6];
        var ex = Assert.Throws<ArgumentException>(() => gemm.Sgemm(false, false, 2, 2, 3, 1f, a, 2, a, 2, 0f, new float[4], 2));
        Assert.Contains("leading dimension of A (2) is smaller than its 3 columns", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => gemm.Sgemm(false, false, 2, 3, 3, 1f, a, 3, new float[9], 3, 0f, new float[4], 3));
        Assert.Contains("C needs 6 values", ex.Message);
        Assert.Throws<ArgumentException>(() => gemm.Sgemm(false, false, -1, 2, 3, 1f, a, 3, a, 2, 0f, new float[4], 2));
    }
}
