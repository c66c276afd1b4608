using System.Buffers;
using EvalHarness.Engine;
using EvalHarness.Saliency;

namespace EvalHarness.Metrics.Faithfulness;

/// <summary>
/// The causal metrics of RISE (Petsiuk et al. 2018 §4.1; eclique/RISE evaluation.py CausalMetric):
/// rank the pixels by saliency, then change them step by step from a start image towards a finish
/// image — deletion: from x towards the substrate, insertion: from the substrate towards x — and
/// score p^c after every step including the start (n + 1 scores a₀ … a_n). The per-image value is the
/// normalised area AUC = (Σa − a₀/2 − a_n/2)/n (RISE's auc(): trapezoids over the step index, so a
/// smaller last step still counts 1/n). Every step of every image goes through the model in batches.
/// </summary>
public abstract class CausalMetric : IMetric
{
    private readonly Substrate _substrate;

    /// <param name="step">Pixels per step; 0: the image width (RISE: 224 on 224×224).</param>
    /// <param name="steps">Number of steps instead of a step size (0: use <paramref name="step"/>).</param>
    /// <param name="substrate">zero, blur, mean or noise (see <see cref="Substrate"/>).</param>
    /// <param name="score">probability (softmax p^c, RISE) or logit.</param>
    protected CausalMetric(bool insertion, int step, int steps, string substrate, string score, int blurKernel, double blurSigma)
    {
        if (step < 0 || steps < 0) throw new EvalHarnessException($"Step size ({step}) and step count ({steps}) must not be negative.");
        if (step > 0 && steps > 0)
            throw new EvalHarnessException($"Give either a step size (step = {step}) or a number of steps (steps = {steps}), not both.");
        if (score != ModelScore.Probability && score != ModelScore.Logit)
            throw new UnknownNameException(NameMatcher.UnknownMessage("score", score, [ModelScore.Probability, ModelScore.Logit]));
        Insertion = insertion;
        Step = step;
        StepCount = steps;
        Score = score;
        _substrate = new Substrate(substrate, blurKernel, blurSigma);
    }

    public abstract MetricDescriptor Descriptor { get; }

    public bool Insertion { get; }

    public int Step { get; }

    public int StepCount { get; }

    public string Score { get; }

    public string SubstrateKind => _substrate.Kind;

    /// <summary>Reads step, steps, substrate, score, blur_kernel, blur_sigma.</summary>
    protected static (int Step, int Steps, string Substrate, string Score, int BlurKernel, double BlurSigma) Parse(MethodParameters p, string defaultSubstrate) =>
        (p.Int("step", 0, 1), p.Int("steps", 0, 1), p.Choice("substrate", defaultSubstrate, Substrate.Kinds), ModelScore.Parse(p),
         p.Int("blur_kernel", 11, 1), p.Double("blur_sigma", 5, 1e-3));

    public StepSchedule Schedule(int height, int width) =>
        StepCount > 0 ? StepSchedule.FixedCount(height * width, StepCount) : StepSchedule.FixedSize(height * width, Step > 0 ? Step : width);

    /// <summary>RISE's auc(): (Σa − a₀/2 − a_n/2)/n.</summary>
    public static double Auc(ReadOnlySpan<double> scores)
    {
        int n = scores.Length - 1;
        if (n < 1) throw new ArgumentException("An AUC needs at least two scores.", nameof(scores));
        double sum = 0;
        foreach (double a in scores) sum += a;
        return (sum - scores[0] / 2 - scores[n] / 2) / n; // eclique/RISE evaluation.py auc()
    }

    public MetricBatchResult Evaluate(MetricContext context)
    {
        string name = Descriptor.Name;
        context.Validate(name);
        int channels = context.Images.C, height = context.H, width = context.W, plane = height * width, item = channels * plane;
        var schedule = Schedule(height, width);
        int per = schedule.Steps + 1;
        var records = new List<MetricRecord>(context.N);
        var curves = new List<MetricCurve>();
        var valid = new List<int>();
        for (int n = 0; n < context.N; n++)
        {
            if (context.MapProblem(n) is { } problem) records.Add(MetricRecord.NotDefined(n, context.Targets[n], name, "auc", problem));
            else valid.Add(n);
        }
        if (valid.Count > 0)
        {
            var explain = context.ExplainContext();
            var orders = valid.Select(n => SaliencyOrder.Descending(context.Map(n))).ToArray();
            var pool = ArrayPool<float>.Shared;
            float[] start = pool.Rent(item), finish = pool.Rent(item), current = pool.Rent(item);
            try
            {
                int loaded = -1, last = -2;
                var logits = BatchedModel.Run(explain, valid.Count * per, [channels, height, width], (index, dst) =>
                {
                    int j = index / per, i = index % per;
                    if (j != loaded)
                    {
                        Prepare(context, explain, valid[j], start.AsSpan(0, item), finish.AsSpan(0, item));
                        loaded = j;
                    }
                    var cur = current.AsSpan(0, item);
                    if (i > 0 && index == last + 1) ApplyStep(cur, finish, orders[j], schedule.Boundaries[i - 1], schedule.Boundaries[i], channels, plane);
                    else
                    {
                        start.AsSpan(0, item).CopyTo(cur);
                        ApplyStep(cur, finish, orders[j], 0, schedule.Boundaries[i], channels, plane);
                    }
                    last = index;
                    cur.CopyTo(dst);
                });
                var x = new double[per];
                for (int i = 0; i < per; i++) x[i] = (double)schedule.Boundaries[i] / plane;
                for (int j = 0; j < valid.Count; j++)
                {
                    int n = valid[j];
                    var a = new double[per];
                    for (int i = 0; i < per; i++) a[i] = ModelScore.Of(logits, j * per + i, context.Targets[n], Score);
                    records.Add(new MetricRecord(n, context.Targets[n], name, "auc", Auc(a)));
                    curves.Add(new MetricCurve(n, name, x, a));
                }
            }
            finally
            {
                pool.Return(start);
                pool.Return(finish);
                pool.Return(current);
            }
        }
        records.Sort((a, b) => a.ImageIndex.CompareTo(b.ImageIndex));
        return new MetricBatchResult
        {
            Records = records,
            Curves = curves,
            Protocol = $"{name} v{Descriptor.Version}: pixels ranked by saliency (descending, ties by index), {schedule.Description}; " +
                $"{(Insertion ? "insert pixels of x into" : "delete pixels of x to")} {_substrate.Description}; score {Score} of the target class; " +
                "AUC = (Σa − a₀/2 − a_n/2)/n over the n + 1 scores (eclique/RISE)",
        };
    }

    private void Prepare(MetricContext context, ExplainContext explain, int n, Span<float> start, Span<float> finish)
    {
        var image = context.Images.Sample(n);
        image.CopyTo(Insertion ? finish : start);
        _substrate.Fill(image, Insertion ? start : finish, context.Images.C, context.H, context.W,
            () => explain.RngFor(Descriptor.Name + ":" + _substrate.Kind, context.Images, n));
    }

    /// <summary>Copies the pixels of ranks [from, to) from <paramref name="finish"/> into <paramref name="current"/>, every channel.</summary>
    private static void ApplyStep(Span<float> current, float[] finish, int[] order, int from, int to, int channels, int plane)
    {
        for (int r = from; r < to; r++)
        {
            int p = order[r];
            for (int c = 0; c < channels; c++) current[c * plane + p] = finish[c * plane + p];
        }
    }
}
