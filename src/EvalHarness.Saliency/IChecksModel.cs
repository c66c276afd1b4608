using EvalHarness.Engine.Nn.Graph;

namespace EvalHarness.Saliency;

/// <summary>
/// A method that applies only to some models (e.g. CAM needs global average pooling and a linear
/// classifier after its layer) says so before a run: config validation calls <see cref="CheckModel"/>
/// and reports its refusal at the method's entry, before the first forward pass.
/// </summary>
public interface IChecksModel
{
    /// <summary>Throws an EvalHarnessException naming the problem when the method cannot run on <paramref name="graph"/> at <paramref name="layer"/>.</summary>
    void CheckModel(Graph graph, string? layer);
}
