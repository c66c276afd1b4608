using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Saliency.Shapley;

namespace EvalHarness.Metrics.Shap;

/// <summary>
/// Agreement of a method's channel contributions φ̂ (SaliencyResult.ChannelContributions) with the
/// Shapley values φ* of the target layer's activation maps in the game v(S) = y^c(head(A with maps ∉ S
/// zeroed)) (LIFT-CAM §4, Jung &amp; Oh 2021). φ* is exact when K ≤ 20 (all coalitions); otherwise it is
/// sampled with antithetic permutation pairs in rounds of <c>pairs</c> until every standard error is
/// ≤ <c>relative_se</c>·‖φ*‖₂ or <c>max_pairs</c> pairs were drawn; the achieved max SE/‖φ*‖ is reported.
/// Per image: normalised error ‖φ̂ − φ*‖₂/‖φ*‖₂, cosine similarity, Spearman ρ (average ranks for ties),
/// and top-k overlap |top_k(φ̂) ∩ top_k(φ*)|/k with k = min(top_k, K), top by signed value (ties by index).
/// A method without contributions gives 'not defined' values.
/// </summary>
public sealed class ShapError : IMetric
{
    public ShapError(int topK = 10, double relativeSe = 0.01, int pairs = 32, int maxPairs = 1024)
    {
        if (topK < 1) throw new EvalHarnessException($"top_k must be at least 1, got {topK}.");
        if (!(relativeSe > 0)) throw new EvalHarnessException($"relative_se must be positive, got {relativeSe}.");
        if (pairs < 2) throw new EvalHarnessException($"Each sampling round needs at least 2 permutation pairs, got {pairs}.");
        if (maxPairs < pairs) throw new EvalHarnessException($"max_pairs ({maxPairs}) must be at least pairs ({pairs}).");
        TopK = topK;
        RelativeSe = relativeSe;
        Pairs = pairs;
        MaxPairs = maxPairs;
    }

    public int TopK { get; }

    public double RelativeSe { get; }

    public int Pairs { get; }

    public int MaxPairs { get; }

    public const string MetricName = "shap-error";

    public MetricDescriptor Descriptor { get; } = new(MetricName, 1, MetricCategory.Shap,
        "Jung & Oh 2021 (LIFT-CAM, arXiv 2102.05228) §4; Lundberg & Lee 2017",
        [
            new MetricOutput("error", MetricDirection.LowerIsBetter, "‖φ̂ − φ*‖₂ / ‖φ*‖₂"),
            new MetricOutput("cosine", MetricDirection.HigherIsBetter, "cosine similarity of φ̂ and φ*"),
            new MetricOutput("spearman", MetricDirection.HigherIsBetter, "Spearman rank correlation of φ̂ and φ* (average ranks for ties)"),
            new MetricOutput("top_k_overlap", MetricDirection.HigherIsBetter, "|top-k(φ̂) ∩ top-k(φ*)| / k, k = min(top_k, K)"),
            new MetricOutput("reference_rel_se", MetricDirection.None, "largest standard error of φ* divided by ‖φ*‖₂ (0 when exact)"),
        ]);

    private static readonly string[] Comparisons = ["error", "cosine", "spearman", "top_k_overlap"];

    /// <summary>
    /// φ* per (layer, target, fingerprint of the activations, the head's parameters and the seed): a run
    /// scores many methods on the same images, and the reference does not depend on the method.
    /// </summary>
    private readonly Dictionary<(string Layer, int Target, ulong Key), (double[] Phi, double RelSe)> _references = new();
    private const int MaxCachedReferences = 1 << 14;

    public static ShapError FromParameters(MethodParameters p) =>
        new(p.Int("top_k", 10, 1), p.Double("relative_se", 0.01, 1e-12), p.Int("pairs", 32, 2), p.Int("max_pairs", 1024, 2));

    /// <summary>Names of the per-image vectors returned as curves (x = channel index): φ* and the method's φ̂ (the runner writes them to shap.csv).</summary>
    public const string ReferenceCurve = "shap-reference", ContributionCurve = "shap-contribution";

    public MetricBatchResult Evaluate(MetricContext context)
    {
        string name = Descriptor.Name;
        context.Validate(name);
        var records = new List<MetricRecord>();
        var vectors = new List<MetricCurve>();
        var contributions = context.Saliency?.ChannelContributions;
        string protocol = FormattableString.Invariant($"{name} v{Descriptor.Version}: φ* = Shapley values of the target layer's maps in v(S) = y^c(head(A_S)), exact for K ≤ {ActivationShapley.MaxExactPlayers}, ") +
            FormattableString.Invariant($"else antithetic permutation pairs in rounds of {Pairs} until max SE ≤ {RelativeSe}·‖φ*‖ or {MaxPairs} pairs; top-k with k = min({TopK}, K)");
        if (contributions is null)
        {
            for (int n = 0; n < context.N; n++)
                foreach (var output in Descriptor.Outputs)
                    records.Add(MetricRecord.NotDefined(n, context.Targets[n], name, output.Name, "the method gives no channel contributions"));
            return new MetricBatchResult { Records = records, Protocol = protocol };
        }
        var explain = context.ExplainContext();
        string layer = explain.RequireTargetLayer(name);
        var activations = context.Graph.ForwardTo(context.Images, layer, recordForBackward: false).Output;
        if (activations.Rank != 4)
            throw new EvalHarnessException($"Metric '{name}' needs a convolutional target layer (N×K×h×w output); '{layer}' gives {activations.ShapeString}.");
        int k = activations.C;
        if (contributions.Rank != 2 || contributions.Dim(0) != context.N || contributions.Dim(1) != k)
            throw new ShapeException($"Metric '{name}': channel contributions are {contributions.ShapeString}; the target layer '{layer}' has {k} maps, so expected [{context.N}, {k}].");
        var shapley = new ActivationShapley(explain, layer);
        ulong head = HeadFingerprint(context.Graph, layer) ^ explain.Seed;
        for (int n = 0; n < context.N; n++)
        {
            int c = context.Targets[n];
            var phiHat = new double[k];
            string? problem = null;
            for (int i = 0; i < k; i++)
            {
                phiHat[i] = contributions[n, i];
                if (!double.IsFinite(phiHat[i])) problem = "the channel contributions are not finite";
            }
            var activation = activations.SliceBatch(n, 1);
            var key = (layer, c, Fingerprint(activation.Data, Fingerprint(context.Images.Sample(n), head)));
            (double[] Phi, double RelSe) reference;
            lock (_references)
                if (!_references.TryGetValue(key, out reference))
                {
                    reference = Reference(shapley, explain, activation, c, context.Images, n);
                    if (_references.Count >= MaxCachedReferences) _references.Clear();
                    _references[key] = reference;
                }
            var (phi, relSe) = reference;
            double norm = Norm(phi);
            records.Add(new MetricRecord(n, c, name, "reference_rel_se", norm > 0 ? relSe : 0));
            if (problem is null && norm == 0) problem = "the reference Shapley values are all zero (‖φ*‖ = 0)";
            if (problem != null)
            {
                foreach (var output in Comparisons) records.Add(MetricRecord.NotDefined(n, c, name, output, problem));
                continue;
            }
            var channels = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
            vectors.Add(new MetricCurve(n, ReferenceCurve, channels, (double[])phi.Clone()));
            vectors.Add(new MetricCurve(n, ContributionCurve, channels, (double[])phiHat.Clone()));
            var diff = new double[k];
            for (int i = 0; i < k; i++) diff[i] = phiHat[i] - phi[i];
            records.Add(new MetricRecord(n, c, name, "error", Norm(diff) / norm)); // LIFT-CAM §4: ‖φ̂ − φ*‖₂/‖φ*‖₂
            double hatNorm = Norm(phiHat);
            records.Add(hatNorm > 0
                ? new MetricRecord(n, c, name, "cosine", Math.Clamp(Dot(phiHat, phi) / (hatNorm * norm), -1, 1))
                : MetricRecord.NotDefined(n, c, name, "cosine", "the method's contributions are all zero"));
            double rho = RankStatistics.Spearman(phiHat, phi);
            records.Add(double.IsNaN(rho)
                ? MetricRecord.NotDefined(n, c, name, "spearman", "one of the contribution vectors is constant, so ranks carry no order")
                : new MetricRecord(n, c, name, "spearman", rho));
            records.Add(new MetricRecord(n, c, name, "top_k_overlap", TopKOverlap(phiHat, phi, Math.Min(TopK, k))));
        }
        return new MetricBatchResult { Records = records, Curves = vectors, Protocol = protocol };
    }

    /// <summary>FNV-1a over the float bits, continuing from <paramref name="h"/>.</summary>
    private static ulong Fingerprint(ReadOnlySpan<float> values, ulong h = 0xcbf29ce484222325UL)
    {
        foreach (float v in values) h = (h ^ BitConverter.SingleToUInt32Bits(v)) * 0x100000001b3UL;
        return h;
    }

    /// <summary>A fingerprint of the parameters of every node after <paramref name="layer"/> (the head the game is played on).</summary>
    private static ulong HeadFingerprint(Graph graph, string layer)
    {
        ulong h = 0xcbf29ce484222325UL;
        foreach (var node in graph.Nodes.Skip(graph.IndexOf(layer) + 1))
            foreach (var (_, parameter) in node.Layer.Parameters())
                h = Fingerprint(parameter.Value.Data, h);
        return h;
    }

    /// <summary>φ* of one image and its achieved max SE / ‖φ*‖ (0 when exact).</summary>
    private (double[] Phi, double RelSe) Reference(ActivationShapley shapley, Saliency.ExplainContext explain, Tensor activation, int target, Tensor images, int n)
    {
        int k = activation.C;
        if (k <= ActivationShapley.MaxExactPlayers) return (shapley.Compute(activation, target).Values, 0);
        // Pool rounds of antithetic pairs: from each round's mean and SE recover Σδ and Σδ² over its pairs.
        var sum = new double[k];
        var sumSq = new double[k];
        int drawn = 0, round = 0;
        double[] phi;
        double relSe;
        while (true)
        {
            var rng = explain.RngFor($"{Descriptor.Name}:round{round++}", images, n);
            var e = shapley.Compute(activation, target, pairs: Pairs, exact: "never", rng: rng);
            for (int i = 0; i < k; i++)
            {
                double s = e.Values[i] * Pairs;
                double variance = e.StandardErrors[i] * e.StandardErrors[i] * Pairs; // SE² = var/pairs
                sum[i] += s;
                sumSq[i] += variance * (Pairs - 1) + s * s / Pairs;
            }
            drawn += Pairs;
            phi = new double[k];
            double maxSe = 0;
            for (int i = 0; i < k; i++)
            {
                phi[i] = sum[i] / drawn;
                double variance = Math.Max(0, (sumSq[i] - drawn * phi[i] * phi[i]) / (drawn - 1));
                maxSe = Math.Max(maxSe, Math.Sqrt(variance / drawn));
            }
            double norm = Norm(phi);
            relSe = norm > 0 ? maxSe / norm : maxSe > 0 ? double.PositiveInfinity : 0;
            if (relSe <= RelativeSe || drawn + Pairs > MaxPairs) break;
        }
        return (phi, double.IsFinite(relSe) ? relSe : 0);
    }

    /// <summary>|top_k(a) ∩ top_k(b)| / k, top by value descending with ties by index.</summary>
    public static double TopKOverlap(double[] a, double[] b, int k)
    {
        var ta = TopIndices(a, k);
        var tb = TopIndices(b, k);
        ta.IntersectWith(tb);
        return (double)ta.Count / k;
    }

    private static HashSet<int> TopIndices(double[] v, int k)
    {
        var index = Enumerable.Range(0, v.Length).ToArray();
        Array.Sort(index, (x, y) => v[y] != v[x] ? v[y].CompareTo(v[x]) : x.CompareTo(y));
        return [.. index.Take(k)];
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static double Norm(double[] a) => Math.Sqrt(Dot(a, a));
}
