namespace EvalHarness.Metrics;

/// <summary>Which way an output improves.</summary>
public enum MetricDirection
{
    /// <summary>Bookkeeping outputs (e.g. 'skipped', an achieved standard error).</summary>
    None,
    HigherIsBetter,
    LowerIsBetter,
}
