namespace EvalHarness.Harness.Running;

/// <summary>What a run reports while it works: one counter per method, and occasional lines.</summary>
public interface IRunProgress
{
    /// <summary>The run starts: <paramref name="images"/> images for each of <paramref name="methods"/> (method ids).</summary>
    void Start(string directory, IReadOnlyList<string> methods, int images);

    /// <summary><paramref name="images"/> more images done for <paramref name="method"/>; <paramref name="fromStore"/> when nothing had to be computed.</summary>
    void Advance(string method, int images, bool fromStore);

    /// <summary>A line worth showing (resumed from, notes, files written).</summary>
    void Info(string line);
}

/// <summary>Reports nothing.</summary>
public sealed class NoProgress : IRunProgress
{
    public static readonly NoProgress Instance = new();

    public void Start(string directory, IReadOnlyList<string> methods, int images) { }

    public void Advance(string method, int images, bool fromStore) { }

    public void Info(string line) { }
}
