namespace EvalHarness.Engine.Io;

/// <summary>Where a checkpoint's storages live: zip records (torch ≥ 1.6) or the tail of a legacy file.</summary>
internal abstract class TorchStorageSource : IDisposable
{
    /// <summary>True when the storages are big-endian (a "byteorder" record saying "big").</summary>
    public bool BigEndian { get; protected init; }

    /// <summary>A name for messages, e.g. "record 'archive/data/3'".</summary>
    public abstract string Describe(TorchStorageRef storage);

    /// <summary>How many bytes the file holds for the storage; throws <see cref="FileFormatException"/> when it holds none.</summary>
    public abstract long AvailableBytes(TorchStorageRef storage);

    /// <summary>Fills <paramref name="destination"/> with the storage's first bytes, as stored.</summary>
    public abstract void Read(TorchStorageRef storage, Span<byte> destination);

    public virtual void Dispose() { }
}
