namespace EvalHarness.Engine.Nn;

/// <summary>
/// A named tensor of a layer as it appears in a state dict: a trainable parameter (weight, bias) or a
/// buffer (running_mean, running_var). Gradients accumulate into <see cref="Grad"/> when asked for.
/// Layers may keep copies derived from the value (packed GEMM operands, Winograd transforms); they are
/// rebuilt when <see cref="Version"/> moves (replacing <see cref="Value"/>, <see cref="Load"/>,
/// <see cref="MarkChanged"/>) and, as a safeguard, whenever the values no longer match the copy's
/// fingerprint. Code that writes into <c>Value.Data</c> in place should still call <see cref="MarkChanged"/>.
/// </summary>
public sealed class Parameter
{
    private Tensor _value;
    private int _version;

    public Parameter(Tensor value, bool isBuffer = false)
    {
        _value = value ?? throw new ArgumentNullException(nameof(value));
        IsBuffer = isBuffer;
    }

    public Tensor Value
    {
        get => _value;
        set
        {
            _value = value ?? throw new ArgumentNullException(nameof(value));
            MarkChanged();
        }
    }

    public bool IsBuffer { get; }

    /// <summary>The last fingerprint a pass computed for this parameter (<see cref="Layers.WeightCheck"/>).</summary>
    internal Layers.WeightCheck.Stamp? CheckStamp;

    public Tensor? Grad { get; set; }

    /// <summary>Moves on every change announced through this class (never repeats within a process run).</summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>Announces that <c>Value.Data</c> was written in place, so copies derived from it are rebuilt.</summary>
    public void MarkChanged()
    {
        Interlocked.Increment(ref _version);
        Volatile.Write(ref CheckStamp, null);
    }

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
