namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// A value a layer derives from one of its parameters and keeps between calls (a packed GEMM operand,
/// Winograd-transformed weights), rebuilt when it could be stale. A derived value is reused only while
/// the parameter holds the same tensor, its <see cref="Parameter.Version"/> has not moved, the builder's
/// context (e.g. the GEMM provider) is the same object, and the values' fingerprint
/// (<see cref="WeightFingerprint"/>, recomputed on every acquisition, or once per pass: <see cref="WeightCheck"/>) still matches: code that writes
/// weights in place without <see cref="Parameter.MarkChanged"/> gets a fresh build, never a stale one.
/// Thread-safe; a replaced value is disposed once the last caller using it has released it.
/// </summary>
internal sealed class DerivedWeights<T> where T : class, IDisposable
{
    private readonly object _gate = new();
    private Entry? _current;

    /// <summary>The derived value for the parameter's current contents; dispose the lease when done with it.</summary>
    public Lease Acquire(Parameter parameter, object context, Func<float[], T> build)
    {
        var tensor = parameter.Value;
        int version = parameter.Version;
        ulong fingerprint = WeightCheck.Fingerprint(parameter, tensor, version);
        lock (_gate)
        {
            var entry = _current;
            if (entry is null || !ReferenceEquals(entry.Tensor, tensor) || entry.Version != version
                || !ReferenceEquals(entry.Context, context) || entry.Fingerprint != fingerprint)
            {
                var fresh = new Entry(build(tensor.Data), tensor, version, context, fingerprint);
                entry?.Retire();
                _current = entry = fresh;
            }
            entry.AddUser();
            return new Lease(entry);
        }
    }

    /// <summary>Drops the kept value (disposed once no caller uses it).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _current?.Retire();
            _current = null;
        }
    }

    internal sealed class Entry(T value, Tensor tensor, int version, object context, ulong fingerprint)
    {
        public T Value { get; } = value;
        public Tensor Tensor { get; } = tensor;
        public int Version { get; } = version;
        public object Context { get; } = context;
        public ulong Fingerprint { get; } = fingerprint;
        private int _users;
        private bool _retired;

        public void AddUser()
        {
            lock (this) _users++;
        }

        public void Retire()
        {
            lock (this)
            {
                _retired = true;
                if (_users == 0) Value.Dispose();
            }
        }

        public void Release()
        {
            lock (this)
            {
                if (--_users == 0 && _retired) Value.Dispose();
            }
        }
    }

    public readonly struct Lease : IDisposable
    {
        private readonly Entry _entry;

        internal Lease(Entry entry) => _entry = entry;

        public T Value => _entry.Value;

        public void Dispose() => _entry.Release();
    }
}
