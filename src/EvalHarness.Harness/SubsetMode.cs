namespace EvalHarness.Harness;

/// <summary>How <c>subset.limit</c> picks images: the first N in the dataset's order, or N at random (seeded), kept in dataset order.</summary>
public enum SubsetMode
{
    First,
    Random,
}
