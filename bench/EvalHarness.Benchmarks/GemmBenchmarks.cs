using BenchmarkDotNet.Attributes;
using EvalHarness.Engine.Gemm;

namespace EvalHarness.Benchmarks;

/// <summary>
/// GEMM on convolution and fully connected shapes of VGG16 / ResNet-50 at 224×224, per provider:
/// "managed", "managed+packed" (the layer's weights pre-packed once) and "openblas" when it loads.
/// The GFLOP/s column is 2·M·N·K over the mean time.
/// </summary>
[Config(typeof(GemmBenchmarkConfig))]
public class GemmBenchmarks
{
    private GemmProblem? _problem;
    private IGemm? _gemm;
    private bool _packed;

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = GemmShape.ConvAndFc[0];

    [ParamsSource(nameof(Providers))]
    public string Provider { get; set; } = "managed";

    public static IEnumerable<GemmShape> Shapes => GemmShape.ConvAndFc;

    public static IEnumerable<string> Providers
    {
        get
        {
            yield return "managed";
            yield return "managed+packed";
            if (OpenBlasGemm.TryCreate(out _)) yield return "openblas";
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        _problem = new GemmProblem(Shape);
        _packed = Provider == "managed+packed";
        _gemm = GemmProvider.Resolve(_packed ? "managed" : Provider);
        _problem.Run(_gemm, _packed);
    }

    [Benchmark]
    public void Sgemm() => _problem!.Run(_gemm!, _packed);

    [GlobalCleanup]
    public void Cleanup() => _problem?.Dispose();
}
