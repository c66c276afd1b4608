using EvalHarness.Engine;
using EvalHarness.Saliency;

namespace EvalHarness.Harness.TestMethod;

/// <summary>Not a candidate for loading (abstract): the loader must still find ScaledChannelMean as the only implementation.</summary>
public abstract class AbstractMethod : ISaliencyMethod
{
    public abstract MethodDescriptor Descriptor { get; }

    public abstract SaliencyResult Explain(ExplainContext context, Tensor images, IReadOnlyList<int> targets);
}
