namespace EvalHarness.Harness.Config;

/// <summary>Where a config value was written: file, 1-based line and column (0 when unknown).</summary>
public readonly record struct ConfigLocation(string File, int Line, int Column)
{
    public string Directory => Path.GetDirectoryName(Path.GetFullPath(File)) ?? ".";

    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}
