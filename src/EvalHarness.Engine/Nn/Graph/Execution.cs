using System.Numerics.Tensors;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Engine.Nn.Graph;

/// <summary>
/// One forward pass through a graph (whole, up to a module, or a head), holding the activations it
/// kept and, after <see cref="Backward(Tensor, BackwardOptions?)"/>, the gradient at every node's output
/// (or at the modules <see cref="BackwardOptions.KeepGradients"/> names).
/// A pass that does not record lets an elementwise layer (ReLU, batch norm: <see cref="IInPlaceLayer"/>)
/// write its output over its input when nothing else can see that input any more (not kept, not the
/// pass's input, no later reader, no other live tensor sharing its buffer); likewise a backward pass that
/// keeps only some gradients computes such layers' input gradients in the buffers of gradients nobody
/// else holds. The values are the same as without; fewer and smaller allocations.
/// Buffers the pass releases, and on <see cref="Dispose"/> every buffer it holds that it never handed out
/// (through <see cref="Output"/>, <see cref="InputGradient"/>, <see cref="Activation"/>, <see cref="NodeOutput"/>
/// or <see cref="Gradient"/>), go back to <see cref="TensorBuffers"/> for the next pass.
/// </summary>
public sealed class Execution : IDisposable
{
    private readonly Graph _graph;
    private readonly Tensor?[] _outputs;
    private readonly Tensor?[] _grads;
    private readonly bool _record;
    private Tensor? _inputGrad;
    private bool _rules;
    private bool _disposed;
    private Tensor? _seed;
    private readonly HashSet<float[]> _handedOut = new(ReferenceEqualityComparer.Instance);
    private readonly long _pass = WeightCheck.NewPass();

    internal Execution(Graph graph, Tensor input, int start, int end, bool record)
    {
        _graph = graph;
        Input = input;
        Start = start;
        End = end;
        _record = record;
        _outputs = new Tensor?[graph.Nodes.Count];
        _grads = new Tensor?[graph.Nodes.Count];
        if (start >= 0) _outputs[start] = input;
    }

    /// <summary>The tensor fed in: the network input, or the activation a head starts from.</summary>
    public Tensor Input { get; }

    /// <summary>Index of the node whose output <see cref="Input"/> stands for (-1 for the network input).</summary>
    public int Start { get; }

    public int End { get; }

    public Tensor Output => HandOut(_outputs[End])!;

    /// <summary>Gradient at <see cref="Input"/> after a backward pass.</summary>
    public Tensor? InputGradient => HandOut(Start < 0 ? _inputGrad : _grads[Start]);

    /// <summary>Output of a module (kept when recording, or named in keep).</summary>
    public Tensor Activation(string module)
    {
        int i = _graph.IndexOf(module);
        return HandOut(_outputs[i]) ?? throw new EvalHarnessException(
            $"The activation of '{module}' was not kept by this pass (it lies outside the range run, or the pass did not record it).");
    }

    /// <summary>Output of node <paramref name="index"/> in this pass (-1: the network input), or null when not kept.</summary>
    public Tensor? NodeOutput(int index) => index == Start ? Input : index < 0 ? null : HandOut(_outputs[index]);

    /// <summary>Gradient at a module's output after a backward pass, or null if none reached it.</summary>
    public Tensor? Gradient(string module) => HandOut(_grads[_graph.IndexOf(module)]);

    /// <summary>A tensor leaving the pass: its buffer belongs to the caller from now on and is never recycled.</summary>
    private Tensor? HandOut(Tensor? tensor)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (tensor is not null) _handedOut.Add(tensor.Data);
        return tensor;
    }

    /// <summary>
    /// Ends the pass: the buffers of its activations and gradients that were never handed out go back to
    /// <see cref="TensorBuffers"/>. Tensors handed out stay valid; the pass itself can no longer be read.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!TensorBuffers.Enabled || _rules) return;
        var mine = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        foreach (var t in _outputs) if (t is not null) mine.Add(t.Data);
        foreach (var t in _grads) if (t is not null) mine.Add(t.Data);
        if (_inputGrad is not null) mine.Add(_inputGrad.Data);
        mine.Remove(Input.Data);
        if (_seed is not null) mine.Remove(_seed.Data);
        mine.ExceptWith(_handedOut);
        Array.Clear(_outputs);
        Array.Clear(_grads);
        _inputGrad = null;
        foreach (var data in mine) TensorBuffers.Return(data);
    }

    internal void Run(HashSet<int> keep)
    {
        long previous = WeightCheck.Enter(_pass);
        try
        {
            RunNodes(keep);
        }
        finally
        {
            WeightCheck.Exit(previous);
        }
    }

    private void RunNodes(HashSet<int> keep)
    {
        var nodes = _graph.Nodes;
        int[]? lastUse = null;
        if (!_record)
        {
            lastUse = new int[nodes.Count];
            for (int j = Start + 1; j <= End; j++)
                foreach (int i in nodes[j].Inputs)
                    if (i >= 0) lastUse[i] = j;
        }
        var args = new List<Tensor>(4);
        for (int j = Start + 1; j <= End; j++)
        {
            var node = nodes[j];
            args.Clear();
            foreach (int i in node.Inputs) args.Add(Get(i) ?? throw new InvalidOperationException($"Input {i} of '{node.Name}' was released."));
            Tensor output;
            try
            {
                if (lastUse != null && node.Layer is IInPlaceLayer inPlace && node.Inputs.Count == 1
                    && node.Inputs[0] is int source && source > Start && lastUse[source] == j && !keep.Contains(source)
                    && !SharesBuffer(_outputs, source, Start, j) && !ReferenceEquals(args[0].Data, Input.Data))
                {
                    inPlace.ForwardInPlace(args[0]);
                    output = args[0];
                }
                else
                {
                    output = node.Layer.Forward(args);
                }
            }
            catch (ShapeException e)
            {
                throw new ShapeException($"Layer '{node.Name}' ({node.Layer}) rejected input {string.Join(", ", args.Select(a => a.ShapeString))}: {e.Message}");
            }
            _outputs[j] = output;
            if (lastUse != null)
                foreach (int i in node.Inputs)
                    if (i > Start && lastUse[i] == j && !keep.Contains(i) && _outputs[i] is { } released)
                    {
                        _outputs[i] = null;
                        Recycle(released.Data);
                    }
        }
    }

    /// <summary>
    /// Gives a released buffer back to <see cref="TensorBuffers"/> when no tensor this pass still holds shares it
    /// (a view, an in-place output, a gradient handed on) and it is not the caller's: not the pass's input or
    /// seed, not the input gradient. Once a backward pass has used a rule that may keep what it was given
    /// (<see cref="IBackwardRule.KeepsTensors"/>), the pass's buffers are left to the GC.
    /// </summary>
    private void Recycle(float[] data, Tensor? seed = null)
    {
        if (!TensorBuffers.Enabled || data.Length < TensorBuffers.MinPooledLength || _rules) return;
        if (ReferenceEquals(data, Input.Data) || ReferenceEquals(data, seed?.Data) || ReferenceEquals(data, _inputGrad?.Data)) return;
        for (int k = 0; k < _outputs.Length; k++)
            if (ReferenceEquals(_outputs[k]?.Data, data) || ReferenceEquals(_grads[k]?.Data, data)) return;
        TensorBuffers.Return(data);
    }

    private Tensor? Get(int index) => index < 0 ? Input : _outputs[index];

    /// <summary>True when a tensor other than entries[index] among entries (from, to) shares its buffer.</summary>
    private static bool SharesBuffer(Tensor?[] entries, int index, int from, int to)
    {
        var data = entries[index]!.Data;
        for (int k = Math.Max(0, from); k < to; k++)
            if (k != index && entries[k] is { } other && ReferenceEquals(other.Data, data)) return true;
        return false;
    }

    /// <summary>
    /// True once a backward pass has used a rule that may keep the tensors it was given
    /// (<see cref="IBackwardRule.KeepsTensors"/>): the pass then recycles nothing, and callers should not
    /// recycle what they gave it either.
    /// </summary>
    public bool RulesMayKeepTensors => _rules;

    /// <summary>Back-propagates from the output, seeded with the gradient <paramref name="gradOutput"/>.</summary>
    public void Backward(Tensor gradOutput, BackwardOptions? options = null) => Backward(gradOutput, options, callersSeed: true);

    private void Backward(Tensor gradOutput, BackwardOptions? options, bool callersSeed)
    {
        long previous = WeightCheck.Enter(_pass);
        try
        {
            BackwardNodes(gradOutput, options, callersSeed);
        }
        finally
        {
            WeightCheck.Exit(previous);
        }
    }

    private void BackwardNodes(Tensor gradOutput, BackwardOptions? options, bool callersSeed)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _seed = callersSeed ? gradOutput : null;
        if (!_record)
            throw new InvalidOperationException("This forward pass did not record activations; run it with recordForBackward: true to back-propagate.");
        if (!gradOutput.SameShape(Output))
            throw new ShapeException($"The output gradient has shape {gradOutput.ShapeString}; the output has {Output.ShapeString}.");
        var nodes = _graph.Nodes;
        Array.Clear(_grads);
        _inputGrad = null;
        _grads[End] = gradOutput;
        bool paramGrads = options?.ParameterGradients ?? false;
        int stop = Start;
        if (options?.StopAt is { } stopAt)
        {
            stop = _graph.IndexOf(stopAt);
            if (stop < Start || stop > End)
                throw new EvalHarnessException($"Cannot stop the backward pass at '{stopAt}': it lies outside the part of the network this pass ran.");
        }
        HashSet<int>? keepGradients = null;
        if (options?.KeepGradients is { } names)
        {
            keepGradients = [];
            foreach (var name in names) keepGradients.Add(_graph.IndexOf(name));
        }
        var args = new List<Tensor>(4);
        var need = new List<bool>(4);
        for (int j = End; j > stop; j--)
        {
            var grad = _grads[j];
            if (grad is null) continue;
            var node = nodes[j];
            args.Clear();
            need.Clear();
            foreach (int i in node.Inputs)
            {
                args.Add(Get(i)!);
                need.Add(true);
            }
            var rule = options?.Rules?.Invoke(node);
            if (rule is not null && rule.KeepsTensors) _rules = true;
            Tensor?[] inGrads;
            bool releasable = keepGradients != null && !keepGradients.Contains(j);
            if (rule == null && releasable && node.Layer is IInPlaceLayer inPlace && node.Inputs.Count == 1
                && IsPrivateGradient(j, grad, gradOutput)
                && inPlace.TryBackwardInPlace(args[0], _outputs[j]!, grad, paramGrads))
            {
                inGrads = [grad];
            }
            else if (rule is IInPlaceBackwardRule inPlaceRule && releasable && node.Inputs.Count == 1
                && IsPrivateGradient(j, grad, gradOutput))
            {
                inPlaceRule.BackwardInPlace(node, args[0], _outputs[j]!, grad);
                inGrads = [grad];
            }
            else
            {
                inGrads = rule != null
                    ? rule.Backward(node, args, _outputs[j]!, grad, need)
                    : node.Layer.Backward(args, _outputs[j]!, grad, need, paramGrads);
            }
            if (releasable) _grads[j] = null;
            for (int k = 0; k < node.Inputs.Count; k++)
            {
                var g = inGrads[k];
                if (g is null) continue;
                int i = node.Inputs[k];
                if (i < 0)
                {
                    var before = _inputGrad;
                    _inputGrad = Accumulate(before, g);
                    if (before is not null) RecycleSummands(before, g, gradOutput);
                }
                else
                {
                    var before = _grads[i];
                    _grads[i] = Accumulate(before, g);
                    if (before is not null) RecycleSummands(before, g, gradOutput);
                }
            }
            if (releasable) Recycle(grad.Data, gradOutput);
        }
    }

    /// <summary>The two gradients an <see cref="Accumulate"/> summed, when nothing else holds them.</summary>
    private void RecycleSummands(Tensor a, Tensor b, Tensor seed)
    {
        Recycle(a.Data, seed);
        if (!ReferenceEquals(a.Data, b.Data)) Recycle(b.Data, seed);
    }

    /// <summary>
    /// True when nothing but _grads[index] holds <paramref name="grad"/>'s buffer: not the caller's seed, not
    /// the input gradient, no other node's gradient (Add hands one gradient to both branches, Flatten and
    /// pass-through rules hand on views), no activation and not the pass's input.
    /// </summary>
    private bool IsPrivateGradient(int index, Tensor grad, Tensor seed)
    {
        var data = grad.Data;
        if (ReferenceEquals(data, seed.Data) || ReferenceEquals(data, _inputGrad?.Data) || ReferenceEquals(data, Input.Data)) return false;
        for (int k = 0; k < _grads.Length; k++)
        {
            if (k != index && _grads[k] is { } other && ReferenceEquals(other.Data, data)) return false;
            if (_outputs[k] is { } activation && ReferenceEquals(activation.Data, data)) return false;
        }
        return true;
    }

    /// <summary>Back-propagates the sum over the batch of output[n, targets[n]] (e.g. the target logit).</summary>
    public void BackwardFromClasses(IReadOnlyList<int> targets, BackwardOptions? options = null)
    {
        var output = Output;
        if (output.Rank != 2)
            throw new ShapeException($"Class targets need a rank-2 output (batch × classes); the output is {output.ShapeString}.");
        if (targets.Count != output.N)
            throw new ShapeException($"{targets.Count} target classes for a batch of {output.N}.");
        var seed = new Tensor(output.ShapeArray);
        int classes = output.Dim(1);
        for (int n = 0; n < targets.Count; n++)
        {
            if ((uint)targets[n] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(targets), $"Target class {targets[n]} is outside 0..{classes - 1}.");
            seed[n, targets[n]] = 1f;
        }
        Backward(seed, options, callersSeed: false);
    }

    private static Tensor Accumulate(Tensor? existing, Tensor add)
    {
        if (existing is null) return add;
        var sum = Tensor.Uninitialized(existing.ShapeArray);
        LayerParallel.Add(existing.Data, add.Data, sum.Data);
        return sum;
    }
}
