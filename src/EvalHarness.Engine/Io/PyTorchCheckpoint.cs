using EvalHarness.Engine.Io.Pickle;

namespace EvalHarness.Engine.Io;

/// <summary>
/// The tensors of a file written by torch.save: the zip format (PyTorch ≥ 1.6) or the legacy format.
/// The pickle is read by <see cref="SafeUnpickler"/> with an allow-list (<see cref="TorchPickleResolver"/>):
/// nothing in the file is executed, and a file that references any other Python global is refused.
/// Float tensors (float32, float16, bfloat16, float64) load as float32 <see cref="Tensor"/>s in row-major
/// order; integer and bool tensors are kept apart in <see cref="IntegerTensors"/>.
/// A training checkpoint whose state dict sits under a key such as "state_dict" is unwrapped, and the
/// "module." prefix of nn.DataParallel is stripped when every name has it.
/// </summary>
public sealed class PyTorchCheckpoint
{
    /// <summary>Keys of a training checkpoint under which a state dict is looked for, in this order.</summary>
    public static readonly IReadOnlyList<string> NestedStateDictKeys = ["state_dict", "model_state_dict", "model", "net", "network"];

    /// <summary>The prefix nn.DataParallel and DistributedDataParallel put before every name.</summary>
    public const string DataParallelPrefix = "module.";

    private readonly OrderedDictionary<string, Tensor> _tensors;
    private readonly OrderedDictionary<string, PyTorchIntegerTensor> _integers;
    private readonly Dictionary<string, string> _dtypes;

    private PyTorchCheckpoint(string path, bool legacy, string? nestedKey, bool stripped,
        OrderedDictionary<string, Tensor> tensors, OrderedDictionary<string, PyTorchIntegerTensor> integers, Dictionary<string, string> dtypes)
    {
        Path = path;
        IsLegacyFormat = legacy;
        NestedKey = nestedKey;
        StrippedDataParallelPrefix = stripped;
        _tensors = tensors;
        _integers = integers;
        _dtypes = dtypes;
    }

    public string Path { get; }

    /// <summary>True for the pre-1.6 (non-zip) format.</summary>
    public bool IsLegacyFormat { get; }

    /// <summary>The key the state dict was found under ("state_dict", ...), or null when the file is the state dict.</summary>
    public string? NestedKey { get; }

    /// <summary>True when "module." was removed from every name.</summary>
    public bool StrippedDataParallelPrefix { get; }

    /// <summary>Float tensors by name, in the file's order, as float32.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    /// <summary>Names of the float tensors in the file's order.</summary>
    public IReadOnlyList<string> Names => _tensors.Keys;

    /// <summary>Integer and bool tensors (num_batches_tracked, ...) by name, in the file's order.</summary>
    public IReadOnlyDictionary<string, PyTorchIntegerTensor> IntegerTensors => _integers;

    /// <summary>The dtype a float tensor has in the file ("float32", "float16", "bfloat16", "float64").</summary>
    public string SourceDType(string name) => _dtypes.TryGetValue(name, out var d) ? d : throw Unknown(name);

    /// <summary>A float tensor by name; a miss lists the nearest names.</summary>
    public Tensor this[string name] => _tensors.TryGetValue(name, out var t) ? t : throw Unknown(name);

    /// <summary>Reads a checkpoint; any problem with the file is a <see cref="FileFormatException"/> naming it.</summary>
    public static PyTorchCheckpoint Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileFormatException(path, "the file does not exist", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileFormatException(path, $"the file cannot be opened ({e.Message})", e);
        }
        return Guarded(path, () => LoadCore(path, stream));
    }

    /// <summary>
    /// Reads a checkpoint from a seekable stream (taking ownership of it); <paramref name="name"/> stands
    /// for the file in messages.
    /// </summary>
    internal static PyTorchCheckpoint Load(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Guarded(name, () => LoadCore(name, stream));
    }

    private static PyTorchCheckpoint Guarded(string path, Func<PyTorchCheckpoint> load)
    {
        try
        {
            return load();
        }
        catch (PickleException e)
        {
            throw new FileFormatException(path, e.IsRefusal ? e.Message : $"the pickle is malformed: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException and not FileNotFoundException)
        {
            throw new FileFormatException(path, $"the file cannot be read ({e.Message})", e);
        }
        catch (Exception e) when (e is InvalidDataException or IndexOutOfRangeException or ArgumentException
                                    or OverflowException or InvalidCastException or EvalHarnessException and not FileFormatException)
        {
            // Reads are bounds-checked; this is the last line so that no corrupt file escapes as another exception.
            throw new FileFormatException(path, $"the file is truncated or corrupt ({e.Message})", e);
        }
    }

    private static PyTorchCheckpoint LoadCore(string path, Stream stream)
    {
        var head = new byte[512];
        int headLength;
        try
        {
            headLength = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            stream.Position = 0;
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        var resolver = new TorchPickleResolver();
        TorchStorageSource source;
        object? root;
        bool legacy = false;
        if (headLength >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] is 3 or 5)
        {
            var zip = ZipStorageSource.Open(path, stream, out var pickle);
            source = zip;
            try
            {
                root = new SafeUnpickler(pickle, resolver).Load();
            }
            catch (PickleException e) when (!e.IsRefusal)
            {
                zip.Dispose();
                throw new FileFormatException(path, $"record '{zip.PickleRecord}' is not a valid pickle: {e.Message}", e);
            }
            catch
            {
                zip.Dispose();
                throw;
            }
        }
        else
        {
            byte[] file;
            using (stream)
            {
                if (headLength < 2 || head[0] != (byte)PickleOpcode.Proto)
                    throw new FileFormatException(path, NotACheckpoint(head.AsSpan(0, headLength)));
                if (stream.Length > Array.MaxLength)
                    throw new FileFormatException(path, "the legacy-format checkpoint is larger than 2 GiB, which is not supported; re-save it with torch 1.6 or newer");
                file = new byte[stream.Length];
                stream.ReadExactly(file);
            }
            legacy = true;
            source = LegacyStorageSource.Open(path, file, resolver, out root);
        }

        using (source)
        {
            var (dict, nestedKey) = SelectStateDict(path, root);
            var entries = dict.Items.Select(kv => (Name: (string)kv.Key!, Tensor: (TorchTensorRef)kv.Value!)).ToList();
            bool strip = entries.All(e => e.Name.StartsWith(DataParallelPrefix, StringComparison.Ordinal) && e.Name.Length > DataParallelPrefix.Length);
            var materializer = new TorchTensorMaterializer(path, source, entries.Select(e => e.Tensor));
            var tensors = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
            var integers = new OrderedDictionary<string, PyTorchIntegerTensor>(StringComparer.Ordinal);
            var dtypes = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (fullName, t) in entries)
            {
                string name = strip ? fullName[DataParallelPrefix.Length..] : fullName;
                if (t.Storage.Type.IsFloat)
                {
                    tensors.Add(name, materializer.ToFloat(fullName, t));
                    dtypes.Add(name, t.Storage.Type.DType);
                }
                else
                {
                    integers.Add(name, materializer.ToInteger(fullName, t));
                }
            }
            return new PyTorchCheckpoint(path, legacy, nestedKey, strip, tensors, integers, dtypes);
        }
    }

    private static (PickleDict Dict, string? NestedKey) SelectStateDict(string path, object? root)
    {
        if (root is TorchTensorRef t)
            throw new FileFormatException(path, $"the checkpoint holds a single tensor ({t}), not a dict of named tensors; save a dict such as {{'weight': tensor}}");
        if (root is not PickleDict top)
            throw new FileFormatException(path, $"the checkpoint holds {SafeUnpickler.Describe(root)}, not a state dict (a dict of name → tensor)");
        if (top.Count == 0) throw new FileFormatException(path, "the checkpoint is an empty dict: it holds no tensors");
        if (IsTensorDict(top)) return (top, null);
        foreach (var key in NestedStateDictKeys)
            if (top.TryGet(key, out var inner) && inner is PickleDict d && IsTensorDict(d))
                return (d, key);

        var (badKey, badValue) = top.Items.First(kv => kv.Key is not string || kv.Value is not TorchTensorRef);
        var keys = string.Join(", ", top.Items.Take(12).Select(kv => kv.Key is string s ? $"'{s}'" : SafeUnpickler.Describe(kv.Key)));
        throw new FileFormatException(path,
            $"the checkpoint is a dict but not a state dict: key {(badKey is string bk ? $"'{bk}'" : SafeUnpickler.Describe(badKey))} holds {SafeUnpickler.Describe(badValue)} rather than a tensor, "
            + $"and none of the keys {string.Join(", ", NestedStateDictKeys.Select(k => $"'{k}'"))} holds a dict of tensors (its keys: {keys}{(top.Count > 12 ? ", …" : "")})");
    }

    private static bool IsTensorDict(PickleDict d) =>
        d.Count > 0 && d.Items.All(kv => kv.Key is string && kv.Value is TorchTensorRef);

    private static string NotACheckpoint(ReadOnlySpan<byte> head)
    {
        if (head.Length == 0) return "the file is empty";
        if (head.Length >= 262 && head.Slice(257, 5).SequenceEqual("ustar"u8))
            return "this is a tar-format PyTorch checkpoint (PyTorch before 0.4), which is not supported; re-save it with torch 1.6 or newer";
        if (head.Length >= 9 && head[8] == (byte)'{' && BitConverter.ToUInt64(head) < 100_000_000)
            return "this looks like a safetensors file, not a PyTorch checkpoint; load it as safetensors";
        var hex = Convert.ToHexString(head[..Math.Min(8, head.Length)]);
        return $"this is not a PyTorch checkpoint: it is neither a zip archive (torch ≥ 1.6) nor a legacy pickle (the first bytes are {hex})";
    }

    private UnknownNameException Unknown(string name) => new(NameMatcher.UnknownMessage("tensor", name, _tensors.Keys));
}
