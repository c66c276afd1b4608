namespace EvalHarness.Engine.Nn;

/// <summary>
/// One operation of a network. Layers are stateless between calls (parameters aside): everything
/// backward needs is given to it (the inputs and the output of the forward call), so one layer can
/// serve several executions at once.
/// </summary>
public abstract class Layer
{
    /// <summary>The PyTorch module type, e.g. "Conv2d".</summary>
    public abstract string Kind { get; }

    /// <summary>How many inputs the layer takes (-1: any number ≥ 1).</summary>
    public virtual int Arity => 1;

    /// <summary>Parameters and buffers by their local state-dict names ("weight", "running_mean").</summary>
    public virtual IEnumerable<(string Name, Parameter Parameter)> Parameters() => [];

    /// <summary>Output shape for the given input shapes; throws <see cref="ShapeException"/> on a mismatch.</summary>
    public abstract int[] OutputShape(IReadOnlyList<int[]> inputShapes);

    public abstract Tensor Forward(IReadOnlyList<Tensor> inputs);

    /// <summary>
    /// Gradients with respect to each input given the gradient at the output. When
    /// <paramref name="parameterGradients"/> is true, parameter gradients are accumulated into
    /// <see cref="Parameter.Grad"/>. An entry of <paramref name="needInput"/> that is false may be
    /// returned as null.
    /// </summary>
    public abstract Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput,
        IReadOnlyList<bool> needInput, bool parameterGradients);

    /// <summary>A short description of the configuration, e.g. "Conv2d(3, 64, k=3, s=1, p=1)".</summary>
    public override string ToString() => Kind;

    protected void CheckArity(IReadOnlyList<int[]> inputShapes)
    {
        if (Arity >= 0 && inputShapes.Count != Arity)
            throw new ShapeException($"{this} takes {Arity} input(s), got {inputShapes.Count}.");
        if (Arity < 0 && inputShapes.Count == 0)
            throw new ShapeException($"{this} takes at least one input.");
    }

    protected static void RequireRank(int[] shape, int rank, string what)
    {
        if (shape.Length != rank)
            throw new ShapeException($"{what} expects a rank-{rank} input, got {ShapeUtil.Format(shape)}.");
    }
}
