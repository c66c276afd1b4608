using EvalHarness.Engine;

namespace EvalHarness.Cli;

/// <summary>One network input: where it came from and the 1×C×H×W tensor the network takes.</summary>
internal sealed record ModelInput(string Path, Tensor Tensor, bool Preprocessed);
