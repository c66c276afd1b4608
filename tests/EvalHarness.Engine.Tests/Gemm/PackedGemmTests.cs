using EvalHarness.Engine.Gemm;

namespace EvalHarness.Engine.Tests.Gemm;

public class PackedGemmTests
{
    private static readonly (int M, int N, int K)[] Shapes =
        [(1, 1, 1), (13, 33, 7), (16, 31, 65), (40, 97, 385), (25, 700, 20), (3, 5, 0)];

    public static IEnumerable<object[]> Cases()
    {
        foreach (var provider in new[] { "managed", "managed-vector256", "managed-small-blocks", "naive", "openblas" })
            foreach (var operand in new[] { GemmOperand.A, GemmOperand.B })
                foreach (bool transpose in new[] { false, true })
                    yield return [provider, operand, transpose];
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void A_packed_operand_gives_the_same_product(string provider, GemmOperand operand, bool transpose)
    {
        var gemm = GemmProviders.GetOrSkip(provider);
        foreach (var (m, n, k) in Shapes)
        {
            var rng = new Random(m + 31 * n + 1000 * k);
            foreach (bool otherTrans in new[] { false, true })
            {
                bool transA = operand == GemmOperand.A ? transpose : otherTrans;
                bool transB = operand == GemmOperand.B ? transpose : otherTrans;
                int aCols = transA ? m : k, bCols = transB ? k : n;
                int lda = aCols + 2, ldb = bCols + 1, ldc = n + 3;
                var a = GemmReference.Strided(rng, transA ? k : m, aCols, lda);
                var b = GemmReference.Strided(rng, transB ? n : k, bCols, ldb);
                var c = GemmReference.Strided(rng, m, n, ldc);
                var before = (float[])c.Clone();
                float alpha = 1.5f, beta = otherTrans ? 0.5f : 0f;
                if (beta == 0) Array.Fill(c, float.NaN);
                var expected = GemmReference.Compute(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, before, ldc);
                string what = $"{provider} packed {operand}{(transpose ? "ᵀ" : "")} {m}×{n}×{k} beta={beta}";
                if (operand == GemmOperand.A)
                {
                    using var packed = gemm.Pack(GemmOperand.A, transA, m, k, a, lda);
                    Array.Fill(a, 7f); // a snapshot: later changes to the source are not seen
                    gemm.Sgemm(packed, transB, n, alpha, b, ldb, beta, c, ldc);
                }
                else
                {
                    using var packed = gemm.Pack(GemmOperand.B, transB, k, n, b, ldb);
                    Array.Fill(b, 7f);
                    gemm.Sgemm(transA, m, alpha, a, lda, packed, beta, c, ldc);
                }
                GemmReference.AssertClose(what, expected, c, m, n, ldc, beta == 0 ? c : before);
            }
        }
    }

    [SkippableTheory]
    [InlineData("managed", "naive")]
    [InlineData("naive", "managed")]
    [InlineData("managed-vector256", "managed")]
    [InlineData("managed-small-blocks", "managed")]
    [InlineData("managed", "managed-small-blocks")]
    [InlineData("managed-8x32", "managed")]
    [InlineData("managed", "openblas")]
    [InlineData("openblas", "managed")]
    public void Any_provider_accepts_a_matrix_packed_by_another(string packer, string user)
    {
        var pack = GemmProviders.GetOrSkip(packer);
        var use = GemmProviders.GetOrSkip(user);
        var rng = new Random(11);
        int m = 29, n = 45, k = 51;
        var a = GemmReference.Strided(rng, m, k, k);
        var b = GemmReference.Strided(rng, n, k, k); // stored transposed
        var expected = GemmReference.Compute(false, true, m, n, k, 1f, a, k, b, k, 0f, new float[m * n], n);
        using var pa = pack.Pack(GemmOperand.A, false, m, k, a, k);
        using var pb = pack.Pack(GemmOperand.B, true, k, n, b, k);
        var c1 = new float[m * n];
        var c2 = new float[m * n];
        use.Sgemm(pa, true, n, 1f, b, k, 0f, c1, n);
        use.Sgemm(false, m, 1f, a, k, pb, 0f, c2, n);
        GemmReference.AssertClose($"{packer}→{user} A", expected, c1, m, n, n, c1);
        GemmReference.AssertClose($"{packer}→{user} B", expected, c2, m, n, n, c2);
    }

    [SkippableTheory]
    [InlineData("managed")]
    [InlineData("managed-small-blocks")]
    [InlineData("naive")]
    public void CopyTo_gives_back_op_X(string provider)
    {
        var gemm = GemmProviders.GetOrSkip(provider);
        var rng = new Random(2);
        int rows = 27, cols = 50, ld = 53;
        foreach (var operand in new[] { GemmOperand.A, GemmOperand.B })
        {
            foreach (bool transpose in new[] { false, true })
            {
                var data = GemmReference.Strided(rng, transpose ? cols : rows, transpose ? rows : cols, ld);
                using var packed = gemm.Pack(operand, transpose, rows, cols, data, ld);
                Assert.Equal((operand, rows, cols), (packed.Operand, packed.Rows, packed.Cols));
                var copy = new float[rows * cols];
                packed.CopyTo(copy);
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < cols; j++)
                        Assert.Equal(transpose ? data[j * ld + i] : data[i * ld + j], copy[i * cols + j]);
            }
        }
    }

    [Theory]
    [InlineData("managed")]
    [InlineData("naive")]
    public void Misuse_is_reported(string provider)
    {
        var gemm = GemmProviders.Get(provider);
        var data = new float[12];
        var packedA = gemm.Pack(GemmOperand.A, false, 3, 4, data, 4);
        var ex = Assert.Throws<ArgumentException>(() => gemm.Sgemm(false, 3, 1f, data, 4, packedA, 0f, new float[9], 3));
        Assert.Contains("packed as operand A was passed as operand B", ex.Message);
        Assert.Throws<ArgumentException>(() => gemm.Pack(GemmOperand.B, false, 4, 4, data, 4));
        packedA.Dispose();
        Assert.Throws<ObjectDisposedException>(() => gemm.Sgemm(packedA, false, 3, 1f, data, 3, 0f, new float[9], 3));
    }
}
