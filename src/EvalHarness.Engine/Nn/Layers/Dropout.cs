namespace EvalHarness.Engine.Nn.Layers;

/// <summary>Dropout. The engine runs inference, where dropout is the identity.</summary>
public sealed class Dropout(float p = 0.5f) : Identity
{
    public float P { get; } = p is >= 0 and < 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), $"Dropout probability {p} is outside [0, 1).");

    public override string Kind => "Dropout";

    public override string ToString() => $"Dropout(p={P})";
}
