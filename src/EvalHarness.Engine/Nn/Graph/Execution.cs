using System.Numerics.Tensors;

namespace EvalHarness.Engine.Nn.Graph;

/// <summary>
/// One forward pass through a graph (whole, up to a module, or a head), holding the activations it
/// kept and, after <see cref="Backward(Tensor, BackwardOptions?)"/>, the gradient at every node's output.
/// </summary>
public sealed class Execution
{
    private readonly Graph _graph;
    private readonly Tensor?[] _outputs;
    private readonly Tensor?[] _grads;
    private readonly bool _record;
    private Tensor? _inputGrad;

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

    public Tensor Output => _outputs[End]!;

    /// <summary>Gradient at <see cref="Input"/> after a backward pass.</summary>
    public Tensor? InputGradient => Start < 0 ? _inputGrad : _grads[Start];

    /// <summary>Output of a module (kept when recording, or named in keep).</summary>
    public Tensor Activation(string module)
    {
        int i = _graph.IndexOf(module);
        return _outputs[i] ?? throw new EvalHarnessException(
            $"The activation of '{module}' was not kept by this pass (it lies outside the range run, or the pass did not record it).");
    }

    /// <summary>Output of node <paramref name="index"/> in this pass (-1: the network input), or null when not kept.</summary>
    public Tensor? NodeOutput(int index) => index == Start ? Input : index < 0 ? null : _outputs[index];

    /// <summary>Gradient at a module's output after a backward pass, or null if none reached it.</summary>
    public Tensor? Gradient(string module) => _grads[_graph.IndexOf(module)];

    internal void Run(HashSet<int> keep)
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
                output = node.Layer.Forward(args);
            }
            catch (ShapeException e)
            {
                throw new ShapeException($"Layer '{node.Name}' ({node.Layer}) rejected input {string.Join(", ", args.Select(a => a.ShapeString))}: {e.Message}");
            }
            _outputs[j] = output;
            if (lastUse != null)
                foreach (int i in node.Inputs)
                    if (i > Start && lastUse[i] == j && !keep.Contains(i)) _outputs[i] = null;
        }
    }

    private Tensor? Get(int index) => index < 0 ? Input : _outputs[index];

    /// <summary>Back-propagates from the output, seeded with the gradient <paramref name="gradOutput"/>.</summary>
    public void Backward(Tensor gradOutput, BackwardOptions? options = null)
    {
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
            var inGrads = rule != null
                ? rule.Backward(node, args, _outputs[j]!, grad, need)
                : node.Layer.Backward(args, _outputs[j]!, grad, need, paramGrads);
            for (int k = 0; k < node.Inputs.Count; k++)
            {
                var g = inGrads[k];
                if (g is null) continue;
                int i = node.Inputs[k];
                if (i < 0) _inputGrad = Accumulate(_inputGrad, g);
                else _grads[i] = Accumulate(_grads[i], g);
            }
        }
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
        Backward(seed, options);
    }

    private static Tensor Accumulate(Tensor? existing, Tensor add)
    {
        if (existing is null) return add;
        var sum = Tensor.Uninitialized(existing.ShapeArray);
        TensorPrimitives.Add(existing.Data, add.Data, sum.Data);
        return sum;
    }
}
