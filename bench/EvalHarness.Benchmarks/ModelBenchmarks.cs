using BenchmarkDotNet.Attributes;

namespace EvalHarness.Benchmarks;

/// <summary>
/// Whole networks at 224×224 (the rows of `--models-quick`, with BenchmarkDotNet's statistics):
/// forward, and forward plus the backward pass to the input, at batch 1 and 16. The time is per call
/// (divide by the batch for ms per image). Slow: bench/compare.sh uses `--models-quick` instead.
/// </summary>
[Config(typeof(ModelBenchmarkConfig))]
public class ModelBenchmarks
{
    private ModelWork? _work;

    [Params("vgg16", "resnet50", "squeezenet1_0")]
    public string Model { get; set; } = "vgg16";

    [Params(ModelWork.Forward, ModelWork.ForwardInputGrad)]
    public string Mode { get; set; } = ModelWork.Forward;

    [Params(1, 16)]
    public int Batch { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        _work = new ModelWork(Model, Mode, Batch);
        _work.Run();
    }

    [Benchmark]
    public void Run() => _work!.Run();
}
