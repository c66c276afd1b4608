using EvalHarness.Engine;

namespace EvalHarness.Saliency.Shapley;

/// <summary>Shapley values of one image's activation maps with their standard errors (zero when exact).</summary>
/// <param name="Values">φ_k per player (map or group of maps).</param>
/// <param name="StandardErrors">Standard error of each φ_k (zeros for exact enumeration).</param>
/// <param name="Exact">True when computed by enumerating every coalition.</param>
/// <param name="Samples">Antithetic permutation pairs drawn (0 when exact).</param>
/// <param name="FullValue">v(all players) = the target logit of the unmodified activations.</param>
/// <param name="EmptyValue">v(∅) = the target logit with every map zeroed.</param>
public sealed record ShapleyEstimate(double[] Values, double[] StandardErrors, bool Exact, int Samples, double FullValue, double EmptyValue);

/// <summary>
/// Shapley values (Lundberg &amp; Lee 2017; LIFT-CAM §3) of the activation maps A_1..A_K of a target
/// layer in the game v(S) = y^c(head(A with the maps outside S zeroed)). Players are single maps or,
/// with <c>groups</c>, contiguous groups of maps. Exact by enumerating all 2^P coalitions (batched head
/// passes) when P ≤ <see cref="MaxExactPlayers"/>; otherwise permutation sampling with antithetic pairs
/// (each permutation and its reverse), reporting the standard error over pairs. Heads that start with
/// channel-wise operations and an affine layer are evaluated along each permutation incrementally
/// (<see cref="IncrementalHead"/>).
/// </summary>
public sealed class ActivationShapley
{
    public const int MaxExactPlayers = 20;

    private readonly ExplainContext _context;
    private readonly string _layer;

    /// <summary>Whether sampling may use <see cref="IncrementalHead"/> (tests turn it off to compare both paths).</summary>
    internal bool AllowIncremental { get; init; } = true;

    public ActivationShapley(ExplainContext context, string layer)
    {
        _context = context;
        _layer = layer;
    }

    /// <param name="activations">1×K×h×w activations of one image.</param>
    /// <param name="target">Class c of the game's score y^c.</param>
    /// <param name="groups">Number of players (K when 0): map k belongs to player ⌊k·groups/K⌋.</param>
    /// <param name="pairs">Antithetic permutation pairs when sampling.</param>
    /// <param name="exact">"auto" (exact when players ≤ 20), "always" or "never".</param>
    public ShapleyEstimate Compute(Tensor activations, int target, int groups = 0, int pairs = 64, string exact = "auto", Rng? rng = null)
    {
        int k = activations.C;
        int players = groups <= 0 ? k : groups;
        if (players > k) throw new EvalHarnessException($"Cannot split {k} activation maps into {players} groups.");
        bool enumerate = exact switch
        {
            "auto" => players <= MaxExactPlayers,
            "always" => players <= MaxExactPlayers ? true : throw new EvalHarnessException(
                $"Exact Shapley values of {players} players need 2^{players} head passes; at most {MaxExactPlayers} players can be enumerated. " +
                $"Set groups to at most {MaxExactPlayers} (exact values of groups of maps) or use sampling (exact: never, pairs: N)."),
            "never" => false,
            _ => throw new UnknownNameException(NameMatcher.UnknownMessage("exact mode", exact, ["auto", "always", "never"])),
        };
        var owner = new int[k];
        for (int c = 0; c < k; c++) owner[c] = (int)((long)c * players / k);
        return enumerate
            ? Enumerate(activations, target, players, owner)
            : Sample(activations, target, players, owner, pairs, rng ?? throw new ArgumentNullException(nameof(rng), "Sampling needs a seeded Rng."));
    }

    private ShapleyEstimate Enumerate(Tensor a, int target, int players, int[] owner)
    {
        int coalitions = 1 << players;
        var v = Evaluate(a, target, coalitions, s => (ulong)s, owner);
        // φ_i = Σ_{S ∌ i} |S|!(P−|S|−1)!/P! · (v(S ∪ {i}) − v(S))   (Shapley 1953)
        var weight = new double[players];
        for (int s = 0; s < players; s++) weight[s] = Math.Exp(LogFactorial(s) + LogFactorial(players - s - 1) - LogFactorial(players));
        var phi = new double[players];
        for (int s = 0; s < coalitions; s++)
        {
            int size = System.Numerics.BitOperations.PopCount((uint)s);
            for (int i = 0; i < players; i++)
                if ((s & (1 << i)) == 0) phi[i] += weight[size] * (v[s | (1 << i)] - v[s]);
        }
        return new ShapleyEstimate(phi, new double[players], true, 0, v[coalitions - 1], v[0]);
    }

    private ShapleyEstimate Sample(Tensor a, int target, int players, int[] owner, int pairs, Rng rng)
    {
        if (pairs < 2) throw new EvalHarnessException($"Sampling Shapley values needs at least 2 permutation pairs (got {pairs}) to estimate a standard error.");
        var sum = new double[players];
        var sumSq = new double[players];
        var perm = new int[players];
        for (int i = 0; i < players; i++) perm[i] = i;
        double full = 0, empty = 0;
        var incremental = AllowIncremental ? IncrementalHead.TryCreate(_context.Graph, _layer, a) : null;
        for (int p = 0; p < pairs; p++)
        {
            rng.Shuffle(perm.AsSpan());
            if (incremental is not null)
            {
                Accumulate(incremental.PairValues(_context, target, perm, owner));
                continue;
            }
            // prefixes of π and of reverse(π): coalition masks as bit sets over players (≤ 64 players per word)
            var sets = new List<System.Collections.BitArray>(2 * (players + 1));
            for (int dir = 0; dir < 2; dir++)
            {
                var set = new System.Collections.BitArray(players);
                sets.Add((System.Collections.BitArray)set.Clone());
                for (int j = 0; j < players; j++)
                {
                    set[dir == 0 ? perm[j] : perm[players - 1 - j]] = true;
                    sets.Add((System.Collections.BitArray)set.Clone());
                }
            }
            Accumulate(EvaluateSets(a, target, sets, owner));
        }

        // v: the prefixes of π (∅ first), then those of reverse(π).
        void Accumulate(double[] v)
        {
            full = v[players];
            empty = v[0];
            var delta = new double[players];
            for (int j = 0; j < players; j++)
            {
                delta[perm[j]] += 0.5 * (v[j + 1] - v[j]);
                delta[perm[players - 1 - j]] += 0.5 * (v[players + 1 + j + 1] - v[players + 1 + j]);
            }
            for (int i = 0; i < players; i++)
            {
                sum[i] += delta[i];
                sumSq[i] += delta[i] * delta[i];
            }
        }
        var phi = new double[players];
        var se = new double[players];
        for (int i = 0; i < players; i++)
        {
            phi[i] = sum[i] / pairs;
            double variance = Math.Max(0, (sumSq[i] - pairs * phi[i] * phi[i]) / (pairs - 1));
            se[i] = Math.Sqrt(variance / pairs);
        }
        return new ShapleyEstimate(phi, se, false, pairs, full, empty);
    }

    private double[] Evaluate(Tensor a, int target, int count, Func<int, ulong> coalition, int[] owner) =>
        RunHead(a, target, count, (index, player) => (coalition(index) & (1UL << player)) != 0, owner);

    private double[] EvaluateSets(Tensor a, int target, List<System.Collections.BitArray> sets, int[] owner) =>
        RunHead(a, target, sets.Count, (index, player) => sets[index][player], owner);

    private double[] RunHead(Tensor a, int target, int count, Func<int, int, bool> contains, int[] owner)
    {
        int k = a.C, hw = a.H * a.W;
        var logits = BatchedModel.RunHead(_context, _layer, count, a.ShapeArray[1..], (index, dst) =>
        {
            for (int c = 0; c < k; c++)
            {
                var slice = dst.Slice(c * hw, hw);
                if (contains(index, owner[c])) a.Data.AsSpan(c * hw, hw).CopyTo(slice);
                else slice.Clear();
            }
        });
        var v = new double[count];
        for (int i = 0; i < count; i++) v[i] = BatchedModel.Logit(logits, i, target);
        return v;
    }

    private static double LogFactorial(int n)
    {
        double s = 0;
        for (int i = 2; i <= n; i++) s += Math.Log(i);
        return s;
    }
}
