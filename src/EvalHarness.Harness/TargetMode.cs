namespace EvalHarness.Harness;

/// <summary>The class each map explains: the model's top-1 prediction or the ground-truth label.</summary>
public enum TargetMode
{
    Predicted,
    Label,
}
