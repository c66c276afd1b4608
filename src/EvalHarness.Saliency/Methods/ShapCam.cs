using EvalHarness.Engine;
using EvalHarness.Saliency.Shapley;

namespace EvalHarness.Saliency.Methods;

/// <summary>
/// SHAP-CAM (LIFT-CAM §3, eq. 8): α_k = φ_k, the Shapley value of activation map k in the game
/// v(S) = y^c(head(A with maps ∉ S zeroed)); L = ReLU(Σ_k φ_k A_k). Exact enumeration of all 2^K
/// coalitions when K ≤ 20, otherwise antithetic permutation sampling (see <see cref="ActivationShapley"/>).
/// With groups = G, the G groups of maps are the players and each map gets its group's value.
/// </summary>
public sealed class ShapCam : CamMethod
{
    public ShapCam(int groups = 0, int pairs = 64, string exact = "auto")
    {
        Groups = groups;
        Pairs = pairs;
        Exact = exact;
        Descriptor = new("shapcam", 1, "cam", true, "Lundberg & Lee 2017; Jung & Oh 2021 (arXiv 2102.05228) §3, eq. 8");
    }

    public int Groups { get; }

    public int Pairs { get; }

    public string Exact { get; }

    public override MethodDescriptor Descriptor { get; }

    protected override bool UsesGradients => false;

    protected override Tensor ChannelWeights(CamInputs c)
    {
        var shapley = new ActivationShapley(c.Context, c.Layer);
        var alpha = new Tensor(c.N, c.K);
        Tensor? errors = null;
        for (int n = 0; n < c.N; n++)
        {
            var rng = c.Context.RngFor("shapcam", c.Images, n);
            var estimate = shapley.Compute(c.Activations.SliceBatch(n, 1), c.Targets[n], Groups, Pairs, Exact, rng);
            int players = estimate.Values.Length;
            errors ??= new Tensor(c.N, players);
            for (int p = 0; p < players; p++) errors[n, p] = (float)estimate.StandardErrors[p];
            for (int k = 0; k < c.K; k++) alpha[n, k] = (float)estimate.Values[(int)((long)k * players / c.K)];
        }
        c.Extras["shapley_se"] = errors!;
        return alpha;
    }

    /// <summary>The Shapley values themselves are the contributions.</summary>
    protected override Tensor? Contributions(CamInputs inputs, Tensor weights) => Groups > 0 ? null : weights.Clone();
}
