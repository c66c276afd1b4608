using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace EvalHarness.Benchmarks;

/// <summary>A short job (the products take milliseconds; the machine's clock wanders ±25% anyway) plus the GFLOP/s column.</summary>
public sealed class GemmBenchmarkConfig : ManualConfig
{
    public GemmBenchmarkConfig()
    {
        AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).WithLaunchCount(1));
        AddColumn(new GflopsColumn());
        HideColumns(Column.Error, Column.StdDev);
    }
}
