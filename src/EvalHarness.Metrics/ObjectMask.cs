namespace EvalHarness.Metrics;

/// <summary>A pixel mask of an object of class <paramref name="Class"/>: flags in row-major order over the maps' frame.</summary>
public sealed record ObjectMask(int Class, bool[] Pixels);
