using EvalHarness.Tests.Common;
using System.Text.Json;

namespace EvalHarness.Models.Tests;

/// <summary>
/// tests/fixtures/torchvision/state_dict_keys.json, written by tests/fixtures/gen_state_dict_keys.py from
/// torchvision 0.14: per architecture the state-dict keys and shapes, every module call of a forward pass
/// on a 1×3×224×224 input in call order (module path, type, output shape), and leaf-layer configurations.
/// </summary>
internal sealed class TorchvisionReference
{
    private static readonly Lazy<TorchvisionReference> Loaded = new(() => new TorchvisionReference(TestPaths.Fixture("torchvision", "state_dict_keys.json")));

    public static TorchvisionReference Instance => Loaded.Value;

    private TorchvisionReference(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = doc.RootElement;
        InputShape = Ints(root.GetProperty("input_shape"));
        foreach (var arch in root.GetProperty("architectures").EnumerateObject())
            Architectures[arch.Name] = new Architecture(arch.Value);
    }

    public int[] InputShape { get; }

    public Dictionary<string, Architecture> Architectures { get; } = new(StringComparer.Ordinal);

    internal sealed class Architecture
    {
        public Architecture(JsonElement e)
        {
            Output = Ints(e.GetProperty("output"));
            foreach (var item in e.GetProperty("state_dict").EnumerateArray())
                StateDict.Add((item[0].GetString()!, Ints(item[1])));
            foreach (var item in e.GetProperty("calls").EnumerateArray())
                Calls.Add((item[0].GetString()!, item[1].GetString()!, Ints(item[2])));
            foreach (var leaf in e.GetProperty("leaves").EnumerateObject())
                Leaves[leaf.Name] = leaf.Value.Clone();
        }

        public int[] Output { get; }

        public List<(string Key, int[] Shape)> StateDict { get; } = [];

        /// <summary>Every module call in call order: a container's call comes after those of its children.</summary>
        public List<(string Module, string Type, int[] Shape)> Calls { get; } = [];

        /// <summary>Leaf modules (no children) with "type" and their configuration.</summary>
        public Dictionary<string, JsonElement> Leaves { get; } = new(StringComparer.Ordinal);

        /// <summary>Calls named as EvalHarness names graph nodes: the k-th later call of a module gets "#k".</summary>
        public List<(string Name, string Module, string Type, int[] Shape)> NamedCalls()
        {
            var count = new Dictionary<string, int>(StringComparer.Ordinal);
            var result = new List<(string, string, string, int[])>();
            foreach (var (module, type, shape) in Calls)
            {
                int k = count.GetValueOrDefault(module);
                count[module] = k + 1;
                result.Add((k == 0 ? module : $"{module}#{k}", module, type, shape));
            }
            return result;
        }
    }

    public static int[] Ints(JsonElement array) => array.EnumerateArray().Select(x => x.GetInt32()).ToArray();
}
