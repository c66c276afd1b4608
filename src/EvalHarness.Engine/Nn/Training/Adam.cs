using System.Numerics.Tensors;

namespace EvalHarness.Engine.Nn.Training;

/// <summary>
/// torch.optim.Adam (Kingma &amp; Ba 2015, Alg. 1; L2 weight decay added to the gradient as torch does):
/// m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², w ← w − lr/(1 − β1^t) · m / (sqrt(v)/sqrt(1 − β2^t) + eps).
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly float[][] _m;
    private readonly float[][] _v;

    public Adam(IEnumerable<(string Name, Parameter Parameter)> parameters, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0)
        : base(parameters)
    {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1))
            throw new ArgumentOutOfRangeException(nameof(beta1), $"Adam betas ({beta1}, {beta2}) must lie in [0, 1).");
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), $"Adam eps {eps} must be positive.");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Weight decay {weightDecay} must be ≥ 0.");
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
        _m = Parameters.Select(p => new float[p.Parameter.Value.Length]).ToArray();
        _v = Parameters.Select(p => new float[p.Parameter.Value.Length]).ToArray();
    }

    public float Beta1 { get; }

    public float Beta2 { get; }

    public float Eps { get; }

    public float WeightDecay { get; }

    protected override void Update(int index, Span<float> value, ReadOnlySpan<float> grad, float learningRate)
    {
        var m = _m[index];
        var v = _v[index];
        int n = value.Length;
        var g = new float[n];
        grad.CopyTo(g);
        if (WeightDecay != 0) TensorPrimitives.MultiplyAdd(value, WeightDecay, g, g);
        // m = β1·m + (1 − β1)·g ; v = β2·v + (1 − β2)·g²
        TensorPrimitives.Multiply(m, Beta1, m);
        TensorPrimitives.MultiplyAdd(g, 1 - Beta1, m, m);
        TensorPrimitives.Multiply(v, Beta2, v);
        TensorPrimitives.Multiply(g, g, g);
        TensorPrimitives.MultiplyAdd(g, 1 - Beta2, v, v);
        double bias1 = 1 - Math.Pow(Beta1, StepCount), bias2 = 1 - Math.Pow(Beta2, StepCount);
        float stepSize = (float)(learningRate / bias1), invSqrtBias2 = (float)(1 / Math.Sqrt(bias2));
        // denominator = sqrt(v)/sqrt(1 − β2^t) + eps, reusing g
        TensorPrimitives.Sqrt(v, g);
        TensorPrimitives.Multiply(g, invSqrtBias2, g);
        TensorPrimitives.Add(g, Eps, g);
        TensorPrimitives.Divide(m, g, g);
        TensorPrimitives.MultiplyAdd(g, -stepSize, value, value);
    }
}
