namespace EvalHarness.Harness.Tests.Synthetic;

/// <summary>Tests that switch the process-wide GEMM provider (synthnet training uses the managed one) run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GemmSwitchingCollection
{
    public const string Name = "GEMM-switching";
}
