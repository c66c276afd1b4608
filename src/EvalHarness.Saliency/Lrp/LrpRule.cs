using System.Numerics.Tensors;
using EvalHarness.Engine;
using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Graph;
using Tensor = EvalHarness.Engine.Tensor;

namespace EvalHarness.Saliency.Lrp;

/// <summary>
/// An LRP rule: maps the relevance at a layer's output (passed as the "gradient") to relevance at its
/// inputs. Rules are written as zennit's BasicHook writes them: modified copies f' of the layer
/// evaluated on modified inputs x', R/stab(z) sent back through f' (its input gradient = f'ᵀ), then
/// combined with x'.
/// </summary>
public abstract class LrpRule : IBackwardRule
{
    /// <summary>zennit's default stabiliser.</summary>
    public const float DefaultStabilizer = 1e-6f;

    public abstract string Name { get; }

    public abstract Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput);

    /// <summary>
    /// Whether the rule may hold on to a tensor of the pass after <see cref="Backward"/> returns (then the pass
    /// recycles nothing). True unless a rule says otherwise; the built-in rules keep only their modified layer copies.
    /// </summary>
    public virtual bool KeepsTensors => true;

    /// <summary>z + ε·sign(z), with sign(0) = +1 (zennit's stabilize()).</summary>
    protected static float Stabilize(float z, float epsilon) => z >= 0 ? z + epsilon : z - epsilon;

    /// <summary>R / stab(z), elementwise.</summary>
    protected static Tensor Ratio(Tensor relevance, Tensor z, float epsilon)
    {
        var s = Tensor.Uninitialized(z.ShapeArray);
        var r = relevance.Data;
        var zd = z.Data;
        var sd = s.Data;
        for (int i = 0; i < sd.Length; i++) sd[i] = r[i] / Stabilize(zd[i], epsilon);
        return s;
    }

    protected static Tensor Forward(Layer layer, Tensor x) => layer.Forward([x]);

    /// <summary>f'ᵀ s: the input gradient of <paramref name="layer"/> at <paramref name="x"/> for output gradient <paramref name="s"/>.</summary>
    protected static Tensor Transposed(Layer layer, Tensor x, Tensor s) => layer.Backward([x], s, s, [true], false)[0]!;

    protected static Tensor Positive(Tensor x)
    {
        var y = Tensor.Uninitialized(x.ShapeArray);
        TensorPrimitives.Max(x.Data, 0f, y.Data);
        return y;
    }

    protected static Tensor Negative(Tensor x)
    {
        var y = Tensor.Uninitialized(x.ShapeArray);
        TensorPrimitives.Min(x.Data, 0f, y.Data);
        return y;
    }

    protected static Tensor Sum(Tensor a, Tensor b)
    {
        var y = Tensor.Uninitialized(a.ShapeArray);
        TensorPrimitives.Add(a.Data, b.Data, y.Data);
        return y;
    }

    /// <summary>Σ_k scale_k · (x_k ⊙ c_k), elementwise.</summary>
    protected static Tensor Combine(params (float Scale, Tensor X, Tensor C)[] terms)
    {
        var y = new Tensor(terms[0].X.ShapeArray);
        foreach (var (scale, x, c) in terms)
            for (int i = 0; i < y.Data.Length; i++) y.Data[i] += scale * x.Data[i] * c.Data[i];
        return y;
    }

    protected static float Relu(float v) => v > 0 ? v : 0;

    protected static float NegativePart(float v) => v < 0 ? v : 0;

    public override string ToString() => Name;
}
