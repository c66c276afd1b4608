namespace EvalHarness.Engine.Nn.Training;

/// <summary>
/// Updates trainable parameters from their accumulated gradients (<see cref="Parameter.Grad"/>), one
/// parameter at a time in the given order, elementwise, so an update is deterministic.
/// </summary>
public abstract class Optimizer
{
    private readonly (string Name, Parameter Parameter)[] _parameters;

    protected Optimizer(IEnumerable<(string Name, Parameter Parameter)> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters.ToArray();
        foreach (var (name, p) in _parameters)
            if (p.IsBuffer) throw new ArgumentException($"'{name}' is a buffer, not a trainable parameter.", nameof(parameters));
    }

    public IReadOnlyList<(string Name, Parameter Parameter)> Parameters => _parameters;

    /// <summary>Steps taken so far.</summary>
    public int StepCount { get; private set; }

    /// <summary>Applies one update with learning rate <paramref name="learningRate"/>; parameters without a gradient are left alone.</summary>
    public void Step(float learningRate)
    {
        StepCount++;
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i].Parameter;
            if (p.Grad is null) continue;
            Update(i, p.Value.Data, p.Grad.Data, learningRate);
        }
    }

    /// <summary>Clears every gradient (sets it to zero), as torch's zero_grad(set_to_none=False).</summary>
    public void ZeroGradients()
    {
        foreach (var (_, p) in _parameters) p.Grad?.Data.AsSpan().Clear();
    }

    /// <summary>Updates parameter <paramref name="index"/> in place.</summary>
    protected abstract void Update(int index, Span<float> value, ReadOnlySpan<float> grad, float learningRate);
}
