using EvalHarness.Engine.Gemm;

namespace EvalHarness.Benchmarks;

/// <summary>Random operands for a <see cref="GemmShape"/>, and one multiply with a given provider.</summary>
public sealed class GemmProblem : IDisposable
{
    private readonly float[] _a, _b, _c;
    private readonly int _lda, _ldb;
    private IPackedMatrix? _packed;
    private IGemm? _packedBy;

    public GemmProblem(GemmShape shape, int seed = 1)
    {
        Shape = shape;
        var rng = new Random(seed);
        _a = Random(rng, (long)shape.M * shape.K);
        _b = Random(rng, (long)shape.K * shape.N);
        _c = new float[(long)shape.M * shape.N];
        _lda = shape.TransA ? shape.M : shape.K;
        _ldb = shape.TransB ? shape.K : shape.N;
    }

    public GemmShape Shape { get; }

    /// <summary>C = op(A)·op(B), with the shape's constant operand pre-packed by <paramref name="gemm"/> when <paramref name="prepacked"/>.</summary>
    public void Run(IGemm gemm, bool prepacked = false)
    {
        var s = Shape;
        if (!prepacked || s.Constant is null)
        {
            gemm.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, _a, _lda, _b, _ldb, 0f, _c, s.N);
            return;
        }
        if (_packedBy != gemm)
        {
            _packed?.Dispose();
            _packed = s.Constant == GemmOperand.A
                ? gemm.Pack(GemmOperand.A, s.TransA, s.M, s.K, _a, _lda)
                : gemm.Pack(GemmOperand.B, s.TransB, s.K, s.N, _b, _ldb);
            _packedBy = gemm;
        }
        if (s.Constant == GemmOperand.A) gemm.Sgemm(_packed!, s.TransB, s.N, 1f, _b, _ldb, 0f, _c, s.N);
        else gemm.Sgemm(s.TransA, s.M, 1f, _a, _lda, _packed!, 0f, _c, s.N);
    }

    public void Dispose()
    {
        _packed?.Dispose();
        _packed = null;
        _packedBy = null;
    }

    private static float[] Random(Random rng, long length)
    {
        var data = GC.AllocateUninitializedArray<float>(checked((int)length));
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        return data;
    }
}
