using EvalHarness.Engine.Io.Pickle;

namespace EvalHarness.Engine.Io;

/// <summary>
/// The allow-list for PyTorch checkpoints: the few globals a state dict pickles (OrderedDict, the
/// tensor and parameter rebuild functions, torch.Size, typed storage classes), each reimplemented here
/// as data construction. Every other global is refused before anything refers to it.
/// </summary>
internal sealed class TorchPickleResolver : IPickleResolver
{
    private static readonly PickleGlobal OrderedDict = new("collections", "OrderedDict");
    private static readonly PickleGlobal RebuildTensorV2 = new("torch._utils", "_rebuild_tensor_v2");
    private static readonly PickleGlobal RebuildTensor = new("torch._utils", "_rebuild_tensor");
    private static readonly PickleGlobal RebuildParameter = new("torch._utils", "_rebuild_parameter");
    private static readonly PickleGlobal RebuildParameterWithState = new("torch._utils", "_rebuild_parameter_with_state");
    private static readonly PickleGlobal Size = new("torch", "Size");

    private static readonly Dictionary<string, object> Allowed = BuildAllowList();

    // Torch globals that are data, not code, but stand for tensors this reader does not rebuild.
    private static readonly Dictionary<string, string> UnsupportedHints = new(StringComparer.Ordinal)
    {
        ["torch._utils._rebuild_qtensor"] = "it rebuilds a quantized tensor; dequantize before saving",
        ["torch._utils._rebuild_sparse_tensor"] = "it rebuilds a sparse tensor; save tensor.to_dense()",
        ["torch._utils._rebuild_sparse_csr_tensor"] = "it rebuilds a sparse tensor; save tensor.to_dense()",
        ["torch._utils._rebuild_from_type_v2"] = "it rebuilds a tensor subclass; save plain tensors",
        ["torch._utils._rebuild_tensor_v3"] = "it rebuilds a tensor of a dtype without a storage class; save float32 tensors",
        ["torch._utils._rebuild_device_tensor_from_numpy"] = "it rebuilds a device tensor; move the tensors to the CPU before saving",
        ["torch._utils._rebuild_meta_tensor_no_storage"] = "it rebuilds a tensor without data (device 'meta')",
        ["torch.storage._load_from_bytes"] = "it would unpickle a nested legacy checkpoint outside these checks",
    };

    private readonly Dictionary<string, TorchStorageRef> _storages = new(StringComparer.Ordinal);

    /// <summary>Storages the pickle referred to, by record key, in order of first reference.</summary>
    public IReadOnlyDictionary<string, TorchStorageRef> Storages => _storages;

    /// <summary>The refusal for a global outside the allow-list.</summary>
    public static string RefusalMessage(string module, string name)
    {
        string full = module + "." + name;
        string hint = UnsupportedHints.TryGetValue(full, out var h) ? $" ({h})" : "";
        return $"refusing to load: the checkpoint contains code objects EvalHarness will not execute: it references the Python global '{full}'{hint}. "
             + "Only tensors, OrderedDict and plain data (numbers, strings, lists, tuples, dicts) are read. "
             + "Save just the weights with torch.save(model.state_dict(), path), or convert the checkpoint to safetensors.";
    }

    public object ResolveGlobal(string module, string name)
    {
        if (Allowed.TryGetValue(module + "." + name, out var value)) return value;
        throw new PickleException(RefusalMessage(module, name)) { IsRefusal = true };
    }

    public object? Reduce(object? callable, PickleTuple args)
    {
        if (callable is not PickleGlobal g)
            throw new PickleException($"REDUCE calls {SafeUnpickler.Describe(callable)}, which is not callable");
        if (g == OrderedDict) return NewOrderedDict(args);
        if (g == RebuildTensorV2)
        {
            // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            if (args.Count is not (6 or 7)) throw ArgCount(g, "6 or 7", args);
            return Tensor(g, args);
        }
        if (g == RebuildTensor)
        {
            if (args.Count != 4) throw ArgCount(g, "4", args); // _rebuild_tensor(storage, storage_offset, size, stride)
            return Tensor(g, args);
        }
        if (g == RebuildParameter || g == RebuildParameterWithState)
        {
            // _rebuild_parameter(data, requires_grad, backward_hooks[, state]): the parameter is its data.
            int expected = g == RebuildParameter ? 3 : 4;
            if (args.Count != expected) throw ArgCount(g, expected.ToString(System.Globalization.CultureInfo.InvariantCulture), args);
            return args[0] as TorchTensorRef
                ?? throw new PickleException($"{g.FullName} expects a tensor as its first argument, got {SafeUnpickler.Describe(args[0])}");
        }
        if (g == Size)
        {
            if (args.Count == 0) return PickleTuple.Empty;
            if (args.Count != 1) throw ArgCount(g, "0 or 1", args);
            var dims = Ints(g, "its argument", args[0]);
            return new PickleTuple(dims.Select(d => (object?)d).ToArray());
        }
        throw new PickleException($"REDUCE calls {g.FullName}, which is not callable");
    }

    public object? NewObject(object? cls, PickleTuple args)
    {
        if (cls is PickleGlobal g && g == OrderedDict) return NewOrderedDict(args);
        throw new PickleException($"NEWOBJ creates an instance of {SafeUnpickler.Describe(cls)}, which is not supported");
    }

    public void Build(object? target, object? state)
    {
        // An OrderedDict state dict carries its "_metadata" (per-module versions) as an attribute.
        if (target is PickleDict d)
        {
            d.State = state;
            return;
        }
        throw new PickleException($"BUILD sets state on {SafeUnpickler.Describe(target)}, which is not supported");
    }

    public object? PersistentLoad(object? persistentId)
    {
        // Zip format: ('storage', storage_type, key, location, numel);
        // legacy format adds view_metadata, which is None for storages that are not views.
        if (persistentId is not PickleTuple t || t.Count is not (5 or 6) || t[0] is not "storage")
            throw new PickleException($"a persistent id is {SafeUnpickler.Describe(persistentId)}, not ('storage', type, key, location, numel)");
        if (t[1] is not TorchStorageType type)
            throw new PickleException($"a storage's type is {SafeUnpickler.Describe(t[1])}, not a torch storage class");
        if (t[2] is not string key) throw new PickleException($"a storage key is {SafeUnpickler.Describe(t[2])}, not a string");
        string location = t[3] as string ?? throw new PickleException($"storage '{key}' has location {SafeUnpickler.Describe(t[3])}, not a string");
        if (t[4] is not long numel || numel < 0)
            throw new PickleException($"storage '{key}' has element count {SafeUnpickler.Describe(t[4])}, not a non-negative int");
        if (t.Count == 6 && t[5] is not null)
            throw new PickleException($"storage '{key}' is a view of another storage (legacy format), which is not supported; re-save the checkpoint with torch 1.6 or newer");
        if (_storages.TryGetValue(key, out var known))
        {
            if (known.Type != type || known.Numel != numel)
                throw new PickleException($"storage '{key}' is referenced as {type.DType} × {numel} and as {known.Type.DType} × {known.Numel}");
            return known;
        }
        var storage = new TorchStorageRef(key, type, location, numel);
        _storages.Add(key, storage);
        return storage;
    }

    private static Dictionary<string, object> BuildAllowList()
    {
        var allowed = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var g in new[] { OrderedDict, RebuildTensorV2, RebuildTensor, RebuildParameter, RebuildParameterWithState, Size })
            allowed.Add(g.FullName, g);
        foreach (var type in TorchStorageType.All) allowed.Add("torch." + type.ClassName, type);
        return allowed;
    }

    private static PickleDict NewOrderedDict(PickleTuple args)
    {
        var dict = new PickleDict();
        if (args.Count == 0) return dict;
        if (args.Count != 1 || args[0] is not List<object?> pairs)
            throw new PickleException($"collections.OrderedDict is called with {SafeUnpickler.Describe(args)}; expected nothing or a list of pairs");
        foreach (var pair in pairs)
        {
            switch (pair)
            {
                case PickleTuple { Count: 2 } kv: dict.Set(kv[0], kv[1]); break;
                case List<object?> { Count: 2 } kv: dict.Set(kv[0], kv[1]); break;
                default: throw new PickleException($"collections.OrderedDict is given {SafeUnpickler.Describe(pair)} where a (key, value) pair belongs");
            }
        }
        return dict;
    }

    private static TorchTensorRef Tensor(PickleGlobal g, PickleTuple args)
    {
        if (args[0] is not TorchStorageRef storage)
            throw new PickleException($"{g.FullName} expects a storage as its first argument, got {SafeUnpickler.Describe(args[0])}");
        if (args[1] is not long offset)
            throw new PickleException($"{g.FullName} expects an int storage offset, got {SafeUnpickler.Describe(args[1])}");
        var size = Ints(g, "size", args[2]);
        var stride = Ints(g, "stride", args[3]);
        if (size.Length != stride.Length)
            throw new PickleException($"{g.FullName} is given a size of {size.Length} dimensions and a stride of {stride.Length}");
        return new TorchTensorRef(storage, offset, size, stride);
    }

    private static long[] Ints(PickleGlobal g, string what, object? value)
    {
        if (value is not PickleTuple t)
            throw new PickleException($"{g.FullName} expects a tuple of ints for {what}, got {SafeUnpickler.Describe(value)}");
        var result = new long[t.Count];
        for (int i = 0; i < t.Count; i++)
            result[i] = t[i] as long? ?? throw new PickleException($"{g.FullName} expects ints in {what}, got {SafeUnpickler.Describe(t[i])}");
        return result;
    }

    private static PickleException ArgCount(PickleGlobal g, string expected, PickleTuple args) =>
        new($"{g.FullName} takes {expected} arguments, got {args.Count}");
}
