namespace EvalHarness.Metrics;

/// <summary>A pixel mask of an object of class <paramref name="Class"/>: H·W flags in row-major order, in the input frame.</summary>
public sealed record ObjectMask(int Class, bool[] Pixels);
