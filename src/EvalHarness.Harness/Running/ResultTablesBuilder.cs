using EvalHarness.Harness.Datasets;
using EvalHarness.Metrics;
using EvalHarness.Metrics.Shap;
using EvalHarness.Reports.Results;

namespace EvalHarness.Harness.Running;

/// <summary>
/// per_image.csv, summary.csv, curves.csv and shap.csv from stored evaluations alone, in the run's order
/// (images in selection order, then methods, then metrics, then each metric's values as it reported
/// them), so that the tables depend neither on how often a run was interrupted nor on how it was split
/// into shards: a run reads its own store, <c>merge</c> the stores of its shards, and both feed the
/// same accumulator in the same order.
/// </summary>
internal static class ResultTablesBuilder
{
    public sealed record Tables(
        List<PerImageRow> PerImage, List<SummaryRow> Summary, List<CurveRow> Curves, Dictionary<string, string> Protocols, List<ShapRow> Shap);

    /// <summary>A metric as the tables see it: run id, registry name and declared outputs (name, direction).</summary>
    public sealed record MetricColumns(string Id, string Name, IReadOnlyList<(string Name, string Direction)> Outputs);

    /// <summary>The tables of a run from its store: <paramref name="indices"/> are the images' positions in the whole selection.</summary>
    public static Tables Build(RunPlan plan, RunKeys keys, ResultStore store, IReadOnlyList<DatasetItem> items, IReadOnlyList<int> indices)
    {
        var metrics = plan.Metrics.Select(m => new MetricColumns(m.Id, m.Descriptor.Name,
            m.Descriptor.Outputs.Select(o => (o.Name, Direction(o.Direction))).ToList())).ToList();
        var acc = new Accumulator(plan.Methods.Select(m => m.Id).ToList(), metrics);
        for (int i = 0; i < items.Count; i++)
        {
            string imageKey = keys.Image(items[i]);
            var image = store.GetImage(imageKey)
                ?? throw new InvalidOperationException($"The store has no prediction for image {items[i].Id}.");
            acc.Add(image, indices[i], (m, k) => store.GetEvaluation(keys.Evaluation(keys.Map(imageKey, m), k)));
        }
        return acc.Finish();
    }

    public static string Direction(MetricDirection d) => d switch
    {
        MetricDirection.HigherIsBetter => "higher",
        MetricDirection.LowerIsBetter => "lower",
        _ => "none",
    };

    /// <summary>Collects images one at a time (in selection order) and turns them into the tables.</summary>
    public sealed class Accumulator(IReadOnlyList<string> methods, IReadOnlyList<MetricColumns> metrics)
    {
        private readonly List<PerImageRow> _rows = [];
        private readonly Dictionary<(string Method, string Metric), List<(double[] X, double[] Y)>> _curves = [];
        private readonly Dictionary<string, SortedSet<string>> _protocols = [];
        private readonly List<ShapRow> _shap = [];
        private readonly HashSet<(string Method, string ImageId)> _shapSeen = [];

        /// <param name="image">The image's stored prediction.</param>
        /// <param name="index">Its position in the whole selection (image_index).</param>
        /// <param name="evaluation">The stored evaluation of method m and metric k on this image, or null.</param>
        public void Add(StoredImage image, int index, Func<int, int, StoredEvaluation?> evaluation)
        {
            for (int m = 0; m < methods.Count; m++)
            {
                string methodId = methods[m];
                for (int k = 0; k < metrics.Count; k++)
                {
                    var metric = metrics[k];
                    var ev = evaluation(m, k)
                        ?? throw new InvalidOperationException($"The store has no {metric.Id} result for {methodId} on image {image.ImageId}.");
                    foreach (var r in ev.Records)
                        _rows.Add(new PerImageRow(image.ImageId, index, image.Label, image.Target, image.Prediction, image.Probability,
                            methodId, metric.Id, r.ValueName, r.Value, r.NotDefinedReason));
                    if (!_protocols.TryGetValue(metric.Id, out var set)) _protocols[metric.Id] = set = new SortedSet<string>(StringComparer.Ordinal);
                    set.Add(ev.Protocol);
                    if (ev.Curves is not { } blob) continue;
                    var decoded = MapBlob.DecodeCurves(blob);
                    if (metric.Name == ShapError.MetricName)
                    {
                        // shap-error's "curves" are per-image vectors over channels: φ* and φ̂ (shap.csv).
                        var v = decoded.ToDictionary(c => c.Metric, c => c.Y);
                        if (v.TryGetValue(ShapError.ReferenceCurve, out var reference) && v.TryGetValue(ShapError.ContributionCurve, out var contribution)
                            && _shapSeen.Add((methodId, image.ImageId)))
                            for (int ch = 0; ch < reference.Length; ch++)
                                _shap.Add(new ShapRow(methodId, image.ImageId, ch, contribution[ch], reference[ch]));
                        continue;
                    }
                    foreach (var (curveMetric, x, y) in decoded)
                    {
                        string name = curveMetric.Equals(metric.Name, StringComparison.OrdinalIgnoreCase) ? metric.Id : $"{metric.Id}:{curveMetric}";
                        if (!_curves.TryGetValue((methodId, name), out var list)) _curves[(methodId, name)] = list = [];
                        list.Add((x, y));
                    }
                }
            }
        }

        public Tables Finish() =>
            new(_rows, Summaries(), Curves(), _protocols.ToDictionary(p => p.Key, p => string.Join(" | ", p.Value)), _shap);

        private List<SummaryRow> Summaries()
        {
            var groups = new Dictionary<(string, string, string), List<double>>();
            var order = new List<(string Method, string Metric, string Value)>();
            foreach (var r in _rows)
            {
                var key = (r.Method, r.Metric, r.ValueName);
                if (!groups.TryGetValue(key, out var list))
                {
                    groups[key] = list = [];
                    order.Add(key);
                }
                list.Add(r.Value);
            }
            var metricOrder = metrics.Select(m => m.Id).ToList();
            var result = new List<SummaryRow>();
            var headlineTaken = new HashSet<(string, string)>();
            var methodOrder = methods.ToList();
            foreach (var key in order.OrderBy(k => methodOrder.IndexOf(k.Method)).ThenBy(k => metricOrder.IndexOf(k.Metric)))
            {
                var outputs = metrics[metricOrder.IndexOf(key.Metric)].Outputs;
                int output = OutputIndex(outputs, key.Value);
                string direction = output >= 0 ? outputs[output].Direction : "none";
                bool headline = output == 0 && headlineTaken.Add((key.Method, key.Metric));
                var s = MetricSummary.Of(key.Method, key.Metric, key.Value, groups[key]);
                result.Add(new SummaryRow(key.Method, key.Metric, key.Value, direction, headline,
                    s.Mean, s.StandardError, s.IntervalLow, s.IntervalHigh, s.N, s.NotDefined));
                if (metrics[metricOrder.IndexOf(key.Metric)].Name == PointingGameName && key.Value == "hit")
                    result.Add(ClassMean(key.Method, key.Metric, direction));
            }
            return result;
        }

        private const string PointingGameName = "pointing-game";

        /// <summary>
        /// TorchRay's pointing-game score (PointingGame.accuracy): the mean over classes of each class's hit
        /// rate, beside the per-image rate of the 'hit' row. Its n counts classes (the interval is over
        /// classes); images whose hit is not defined (skipped) are left out, as TorchRay does.
        /// </summary>
        private SummaryRow ClassMean(string method, string metric, string direction)
        {
            var perClass = _rows.Where(r => r.Method == method && r.Metric == metric && r.ValueName == "hit" && !double.IsNaN(r.Value))
                .GroupBy(r => r.Target).OrderBy(g => g.Key).Select(g => g.Average(r => r.Value)).ToList();
            int notDefined = _rows.Count(r => r.Method == method && r.Metric == metric && r.ValueName == "hit" && double.IsNaN(r.Value));
            var s = MetricSummary.Of(method, metric, "hit:class-mean", perClass);
            return new SummaryRow(method, metric, "hit:class-mean", direction, false, s.Mean, s.StandardError, s.IntervalLow, s.IntervalHigh, s.N, notDefined);
        }

        /// <summary>The declared output a value belongs to: by name, or by the part before ':' for per-layer outputs ("spearman:{layer}").</summary>
        private static int OutputIndex(IReadOnlyList<(string Name, string Direction)> outputs, string valueName)
        {
            for (int i = 0; i < outputs.Count; i++)
                if (outputs[i].Name == valueName) return i;
            int colon = valueName.IndexOf(':');
            if (colon > 0)
                for (int i = 0; i < outputs.Count; i++)
                    if (outputs[i].Name.StartsWith(valueName[..(colon + 1)], StringComparison.Ordinal)) return i;
            return -1;
        }

        private List<CurveRow> Curves()
        {
            var result = new List<CurveRow>();
            foreach (var ((method, metric), list) in _curves)
            {
                int steps = list.Max(c => c.Y.Length);
                for (int s = 0; s < steps; s++)
                {
                    var ys = list.Where(c => c.Y.Length > s).Select(c => c.Y[s]).ToArray();
                    var xs = list.Where(c => c.X.Length > s).Select(c => c.X[s]).ToArray();
                    int n = ys.Length;
                    double mean = ys.Average();
                    double se = double.NaN;
                    if (n >= 2)
                    {
                        double ss = ys.Sum(v => (v - mean) * (v - mean));
                        se = Math.Sqrt(ss / (n - 1) / n);
                    }
                    result.Add(new CurveRow(method, metric, s, xs.Length > 0 ? xs.Average() : double.NaN, mean, se, n));
                }
            }
            return result;
        }
    }
}
