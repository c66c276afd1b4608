namespace EvalHarness.Engine.Nn;

/// <summary>A state dict that does not fit a model: the message lists every missing, unexpected and mis-shaped key.</summary>
public sealed class StateDictMismatchException : EvalHarnessException
{
    internal StateDictMismatchException(string message, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected,
        IReadOnlyList<(string Key, int[] ModelShape, int[] GivenShape)> wrongShape) : base(message)
    {
        Missing = missing;
        Unexpected = unexpected;
        WrongShape = wrongShape;
    }

    /// <summary>Model parameters the state dict does not give (empty when the load was not strict).</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Given keys the model does not have (empty when the load was not strict).</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Keys present on both sides with different shapes.</summary>
    public IReadOnlyList<(string Key, int[] ModelShape, int[] GivenShape)> WrongShape { get; }
}
