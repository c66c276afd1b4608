namespace EvalHarness.Engine.Nn.Graph;

/// <summary>
/// A network as a list of nodes in topological order, named by torchvision module paths. Any module
/// (a node, or a container such as "layer4" whose output is its last node) can be tapped for its
/// output and gradient; the graph runs from the input up to a module, or from a module's output to
/// the end (the "head") when that module is a cut point.
/// </summary>
public sealed class Graph
{
    private readonly Node[] _nodes;
    private readonly Dictionary<string, int> _byName;
    private readonly Dictionary<string, (string Node, Parameter Parameter)> _parameters;

    internal Graph(Node[] nodes, IReadOnlyDictionary<string, int> containers)
    {
        if (nodes.Length == 0) throw new ArgumentException("A graph needs at least one node.");
        _nodes = nodes;
        _byName = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, index) in containers) _byName[name] = index;
        foreach (var node in nodes) _byName[node.Name] = node.Index;
        _parameters = new Dictionary<string, (string, Parameter)>(StringComparer.Ordinal);
        foreach (var node in nodes)
            foreach (var (local, p) in node.Layer.Parameters())
                _parameters.Add(node.Name + "." + local, (node.Name, p));
    }

    public IReadOnlyList<Node> Nodes => _nodes;

    public Node OutputNode => _nodes[^1];

    /// <summary>Every name that can be tapped: node names and container names, in graph order.</summary>
    public IReadOnlyList<string> ModuleNames =>
        _byName.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key.Length).Select(kv => kv.Key).ToList();

    /// <summary>The state dict: full parameter names ("features.0.weight") to parameters, in graph order.</summary>
    public IReadOnlyDictionary<string, Parameter> StateDict() =>
        _parameters.ToDictionary(kv => kv.Key, kv => kv.Value.Parameter, StringComparer.Ordinal);

    public IEnumerable<(string Name, Parameter Parameter)> TrainableParameters() =>
        _parameters.Where(kv => !kv.Value.Parameter.IsBuffer).Select(kv => (kv.Key, kv.Value.Parameter));

    public bool Contains(string module) => _byName.ContainsKey(module);

    /// <summary>Index of the node whose output is the module's output; unknown names list near misses.</summary>
    public int IndexOf(string module)
    {
        if (_byName.TryGetValue(module, out int index)) return index;
        throw new UnknownNameException(NameMatcher.UnknownMessage("layer", module, ModuleNames));
    }

    public Node NodeOf(string module) => _nodes[IndexOf(module)];

    /// <summary>
    /// True when every node after <paramref name="index"/> reads only nodes at or after it, so the rest
    /// of the network is a function of that node's output alone.
    /// </summary>
    public bool IsCutPoint(int index)
    {
        for (int j = index + 1; j < _nodes.Length; j++)
            foreach (int i in _nodes[j].Inputs)
                if (i < index) return false;
        return true;
    }

    /// <summary>Modules whose output alone determines the rest of the network (valid head starts).</summary>
    public IReadOnlyList<string> CutPoints() => ModuleNames.Where(n => IsCutPoint(_byName[n])).ToList();

    /// <summary>Output shape of every node for an input shape; throws naming the first node that does not fit.</summary>
    public int[][] InferShapes(int[] inputShape)
    {
        var shapes = new int[_nodes.Length][];
        foreach (var node in _nodes)
        {
            var ins = node.Inputs.Select(i => i < 0 ? inputShape : shapes[i]).ToList();
            try
            {
                shapes[node.Index] = node.Layer.OutputShape(ins);
            }
            catch (ShapeException e)
            {
                throw new ShapeException($"Layer '{node.Name}' ({node.Layer}) cannot take input {string.Join(", ", ins.Select(s => ShapeUtil.Format(s)))} " +
                    $"(network input {ShapeUtil.Format(inputShape)}): {e.Message}");
            }
        }
        return shapes;
    }

    /// <summary>Runs the whole network. With <paramref name="recordForBackward"/> every activation is kept.</summary>
    public Execution Forward(Tensor input, bool recordForBackward = true, IEnumerable<string>? keep = null)
        => Run(input, -1, _nodes.Length - 1, recordForBackward, keep);

    /// <summary>Runs from the input up to and including <paramref name="module"/>; its output is the result.</summary>
    public Execution ForwardTo(Tensor input, string module, bool recordForBackward = true, IEnumerable<string>? keep = null)
        => Run(input, -1, IndexOf(module), recordForBackward, keep);

    /// <summary>
    /// Runs the head: the network after <paramref name="module"/>, fed with <paramref name="activation"/>
    /// in place of that module's output. The module must be a cut point.
    /// </summary>
    public Execution ForwardFrom(string module, Tensor activation, bool recordForBackward = true, IEnumerable<string>? keep = null)
    {
        int start = IndexOf(module);
        if (!IsCutPoint(start))
            throw new EvalHarnessException(
                $"The network after '{module}' also reads earlier layers (a skip connection crosses it), so it is not a function of " +
                $"'{module}' alone. Choose a module whose output is a cut point, e.g.: {string.Join(", ", CutPoints().TakeLast(12))}.");
        return Run(activation, start, _nodes.Length - 1, recordForBackward, keep);
    }

    private Execution Run(Tensor input, int start, int end, bool record, IEnumerable<string>? keep)
    {
        ArgumentNullException.ThrowIfNull(input);
        var keepSet = new HashSet<int>();
        if (keep != null) foreach (var k in keep) keepSet.Add(IndexOf(k));
        var execution = new Execution(this, input, start, end, record);
        execution.Run(keepSet);
        return execution;
    }
}
