using EvalHarness.Engine;
using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Graph;
using Tensor = EvalHarness.Engine.Tensor;

namespace EvalHarness.Saliency.Lrp;

/// <summary>
/// LRP-flat (Lapuschkin et al. 2019; zennit Flat) and LRP-w² (Montavon et al. 2017, §4.2; zennit WSquare):
/// relevance is spread over each output's receptive field in proportion to 1 (flat: weights and inputs
/// replaced by ones, no bias) or to w_ij² (w²: inputs ones, weights and bias squared):
/// R_i = Σ_j v_ij R_j / stab(Σ_i v_ij (+ b_j²)).
/// </summary>
public sealed class FlatRule(AffineLayer layer, bool squared, float stabilizer = LrpRule.DefaultStabilizer) : LrpRule
{
    private Layer? _f;

    public override string Name => squared ? "wsquare" : "flat";

    /// <summary>Keeps no tensor of the pass: the pass may recycle its buffers.</summary>
    public override bool KeepsTensors => false;

    public override Tensor?[] Backward(Node node, IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput)
    {
        using var scratch = Temporaries();
        _f ??= squared ? layer.With(w => w * w, b => b * b) : layer.With(_ => 1f, null);
        var ones = Tensor.Full(1f, inputs[0].ShapeArray);
        var s = Ratio(gradOutput, Forward(_f, ones), stabilizer);
        return [scratch.Keep(Transposed(_f, ones, s))];
    }
}
