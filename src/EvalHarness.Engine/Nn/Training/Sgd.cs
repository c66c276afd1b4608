using System.Numerics.Tensors;

namespace EvalHarness.Engine.Nn.Training;

/// <summary>
/// torch.optim.SGD: g ← grad + wd·w; with momentum μ, b ← μ·b + g (b = g on the first step); w ← w − lr·b.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly float[]?[] _momentum;

    public Sgd(IEnumerable<(string Name, Parameter Parameter)> parameters, float momentum = 0.9f, float weightDecay = 0)
        : base(parameters)
    {
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum), $"SGD momentum {momentum} is outside [0, 1).");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Weight decay {weightDecay} must be ≥ 0.");
        Momentum = momentum;
        WeightDecay = weightDecay;
        _momentum = new float[]?[Parameters.Count];
    }

    public float Momentum { get; }

    public float WeightDecay { get; }

    protected override void Update(int index, Span<float> value, ReadOnlySpan<float> grad, float learningRate)
    {
        var g = new float[grad.Length];
        grad.CopyTo(g);
        if (WeightDecay != 0) TensorPrimitives.MultiplyAdd(value, WeightDecay, g, g);
        if (Momentum != 0)
        {
            var b = _momentum[index];
            if (b is null) _momentum[index] = b = g;
            else
            {
                TensorPrimitives.MultiplyAdd(b, Momentum, g, b);
            }
            g = b;
        }
        TensorPrimitives.MultiplyAdd(g, -learningRate, value, value);
    }
}
