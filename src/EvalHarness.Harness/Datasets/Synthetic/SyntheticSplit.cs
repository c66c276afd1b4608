namespace EvalHarness.Harness.Datasets.Synthetic;

/// <summary>The two disjoint streams a seed gives: images to train on and held-out images to test on.</summary>
public enum SyntheticSplit
{
    Train,
    Test,
}
