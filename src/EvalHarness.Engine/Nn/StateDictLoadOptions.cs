namespace EvalHarness.Engine.Nn;

/// <summary>How <see cref="StateDictLoader"/> matches a state dict to a graph.</summary>
public sealed class StateDictLoadOptions
{
    public static StateDictLoadOptions Default { get; } = new();

    /// <summary>
    /// Every model parameter must be given and every given key must belong to the model (as
    /// torch.nn.Module.load_state_dict(strict=True)). When false, missing and unexpected keys are
    /// reported in the result instead; a wrong shape is an error either way.
    /// </summary>
    public bool Strict { get; init; } = true;

    /// <summary>A prefix removed from the keys that start with it, e.g. "module." from nn.DataParallel checkpoints.</summary>
    public string? StripPrefix { get; init; }
}
