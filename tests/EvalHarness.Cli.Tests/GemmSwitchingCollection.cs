namespace EvalHarness.Cli.Tests;

/// <summary>Tests that switch the process-wide GEMM provider (train-synthetic computes with the managed one) run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GemmSwitchingCollection
{
    public const string Name = "GEMM-switching";
}
