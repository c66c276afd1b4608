using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace EvalHarness.Benchmarks;

/// <summary>GFLOP/s of a GEMM benchmark: the <see cref="GemmShape"/> parameter's 2·M·N·K over the mean time.</summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);

    public string ColumnName => "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Billions of floating-point operations per second (2·M·N·K / mean time)";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var shape = benchmarkCase.Parameters.Items.Select(p => p.Value).OfType<GemmShape>().FirstOrDefault();
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (shape is null || mean is null or <= 0) return "-";
        return (shape.Flops / mean.Value).ToString("F1", CultureInfo.InvariantCulture); // flops per ns = GFLOP/s
    }
}
