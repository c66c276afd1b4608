using EvalHarness.Engine;

namespace EvalHarness.Metrics;

/// <summary>
/// One value of one metric for one image. <see cref="Value"/> is NaN exactly when the value is not
/// defined for this image (no box of the target class, a NaN map, a method without channel
/// contributions, ...); <see cref="NotDefinedReason"/> then says why. Summaries count these, never average them.
/// </summary>
public sealed record MetricRecord
{
    public MetricRecord(int imageIndex, int target, string metric, string valueName, double value, string? notDefinedReason = null)
    {
        if (double.IsNaN(value) != (notDefinedReason != null))
            throw new ArgumentException(double.IsNaN(value)
                ? $"{metric}/{valueName} of image {imageIndex} is NaN without a reason; use MetricRecord.NotDefined."
                : $"{metric}/{valueName} of image {imageIndex} has value {value} and a not-defined reason '{notDefinedReason}'.");
        if (double.IsInfinity(value))
            throw new NonFiniteException($"{metric}/{valueName} of image {imageIndex} is infinite.");
        ImageIndex = imageIndex;
        Target = target;
        Metric = metric;
        ValueName = valueName;
        Value = value;
        NotDefinedReason = notDefinedReason;
    }

    public static MetricRecord NotDefined(int imageIndex, int target, string metric, string valueName, string reason) =>
        new(imageIndex, target, metric, valueName, double.NaN, reason);

    /// <summary>Index of the image in the batch the metric was called on.</summary>
    public int ImageIndex { get; }

    /// <summary>The target class c the value refers to.</summary>
    public int Target { get; }

    public string Metric { get; }

    public string ValueName { get; }

    public double Value { get; }

    public string? NotDefinedReason { get; }

    public bool IsDefined => NotDefinedReason is null;
}
