namespace EvalHarness.Engine.Nn;

/// <summary>
/// A named tensor of a layer as it appears in a state dict: a trainable parameter (weight, bias) or a
/// buffer (running_mean, running_var). Gradients accumulate into <see cref="Grad"/> when asked for.
/// </summary>
public sealed class Parameter
{
    public Parameter(Tensor value, bool isBuffer = false)
    {
        Value = value;
        IsBuffer = isBuffer;
    }

    public Tensor Value { get; set; }

    public bool IsBuffer { get; }

    public Tensor? Grad { get; set; }

    /// <summary>Adds <paramref name="grad"/> into <see cref="Grad"/>, allocating it on first use.</summary>
    public void Accumulate(ReadOnlySpan<float> grad)
    {
        Grad ??= new Tensor(Value.ShapeArray);
        System.Numerics.Tensors.TensorPrimitives.Add(Grad.Data, grad, Grad.Data);
    }

    /// <summary>Replaces the value, checking the shape.</summary>
    public void Load(Tensor value, string name)
    {
        if (!value.SameShape(Value))
            throw new ShapeException($"Parameter '{name}' has shape {Value.ShapeString}; the given tensor has {value.ShapeString}.");
        Value = value;
    }
}
