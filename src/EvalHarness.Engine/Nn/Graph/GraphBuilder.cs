namespace EvalHarness.Engine.Nn.Graph;

/// <summary>
/// Builds a graph in topological order with module paths: <c>using (b.Scope("features")) x = b.Add("0", conv, x);</c>
/// names the node "features.0". A scope's name also names its container: its output is its last node.
/// </summary>
public sealed class GraphBuilder
{
    public const int Input = -1;

    private readonly List<Node> _nodes = [];
    private readonly Dictionary<string, int> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _containers = new(StringComparer.Ordinal);
    private readonly Stack<string> _scopes = new();

    /// <summary>Index of the most recently added node.</summary>
    public int Last => _nodes.Count - 1;

    public int Add(string localName, Layer layer, params int[] inputs)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (inputs.Length == 0) inputs = [Last];
        foreach (int i in inputs)
            if (i < Input || i >= _nodes.Count)
                throw new ArgumentException($"Node '{localName}' refers to input {i}, which is not an earlier node.");
        if (layer.Arity >= 0 && inputs.Length != layer.Arity)
            throw new ArgumentException($"Node '{localName}' ({layer}) takes {layer.Arity} input(s), got {inputs.Length}.");
        string name = _scopes.Count == 0 ? localName : string.Join('.', _scopes.Reverse()) + "." + localName;
        if (_names.ContainsKey(name))
        {
            if (layer.Parameters().Any())
                throw new ArgumentException($"Module name '{name}' is used twice for a layer with parameters.");
            int k = 1;
            while (_names.ContainsKey($"{name}#{k}")) k++;
            name = $"{name}#{k}";
        }
        var node = new Node(_nodes.Count, name, layer, inputs);
        _nodes.Add(node);
        _names[name] = node.Index;
        return node.Index;
    }

    public IDisposable Scope(string name)
    {
        _scopes.Push(name);
        return new ScopeExit(this);
    }

    public Graph Build() => new(_nodes.ToArray(), _containers);

    private void Exit()
    {
        string path = string.Join('.', _scopes.Reverse());
        _scopes.Pop();
        if (_nodes.Count > 0 && _nodes[^1].Name.StartsWith(path + ".", StringComparison.Ordinal))
            _containers[path] = _nodes.Count - 1;
    }

    private sealed class ScopeExit(GraphBuilder owner) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            owner.Exit();
        }
    }
}
