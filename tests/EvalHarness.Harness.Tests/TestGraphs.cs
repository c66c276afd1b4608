using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;
using EvalHarness.Saliency;

namespace EvalHarness.Harness.Tests;

internal static class TestGraphs
{
    /// <summary>A context around a trivial graph (methods under test never run it).</summary>
    public static ExplainContext Context(IReadOnlyList<string>? ids)
    {
        var b = new GraphBuilder();
        b.Add("flatten", new Flatten(), GraphBuilder.Input);
        return new ExplainContext { Graph = b.Build(), ImageIds = ids };
    }
}
