using EvalHarness.Harness.Datasets;
using EvalHarness.Metrics;
using EvalHarness.Reports.Results;

namespace EvalHarness.Harness.Running;

/// <summary>
/// per_image.csv, summary.csv and curves.csv from the result store alone, in the plan's order (images
/// in selection order, then methods, then metrics, then each metric's values as it reported them), so
/// that the tables do not depend on how often a run was interrupted.
/// </summary>
internal static class ResultTablesBuilder
{
    public sealed record Tables(
        List<PerImageRow> PerImage, List<SummaryRow> Summary, List<CurveRow> Curves, Dictionary<string, string> Protocols, List<ShapRow> Shap);

    public static Tables Build(RunPlan plan, RunKeys keys, ResultStore store, IReadOnlyList<DatasetItem> selected)
    {
        var rows = new List<PerImageRow>();
        var curves = new Dictionary<(string Method, string Metric), List<(double[] X, double[] Y)>>();
        var protocols = new Dictionary<string, SortedSet<string>>();
        var shap = new List<ShapRow>();
        var shapSeen = new HashSet<(string Method, string ImageId)>();
        for (int index = 0; index < selected.Count; index++)
        {
            string imageKey = keys.Image(selected[index]);
            var image = store.GetImage(imageKey)
                ?? throw new InvalidOperationException($"The store has no prediction for image {selected[index].Id}.");
            for (int m = 0; m < plan.Methods.Count; m++)
            {
                string mapKey = keys.Map(imageKey, m);
                for (int k = 0; k < plan.Metrics.Count; k++)
                {
                    var ev = store.GetEvaluation(keys.Evaluation(mapKey, k))
                        ?? throw new InvalidOperationException($"The store has no {plan.Metrics[k].Id} result for {plan.Methods[m].Id} on image {image.ImageId}.");
                    string methodId = plan.Methods[m].Id, metricId = plan.Metrics[k].Id;
                    foreach (var r in ev.Records)
                        rows.Add(new PerImageRow(image.ImageId, index, image.Label, image.Target, image.Prediction, image.Probability,
                            methodId, metricId, r.ValueName, r.Value, r.NotDefinedReason));
                    if (!protocols.TryGetValue(metricId, out var set)) protocols[metricId] = set = new SortedSet<string>(StringComparer.Ordinal);
                    set.Add(ev.Protocol);
                    if (ev.Curves is { } blob && plan.Metrics[k].Descriptor.Name == Metrics.Shap.ShapError.MetricName)
                    {
                        // shap-error's "curves" are per-image vectors over channels: φ* and φ̂ (shap.csv), once per method and image.
                        var v = MapBlob.DecodeCurves(blob).ToDictionary(c => c.Metric, c => c.Y);
                        if (shapSeen.Add((methodId, image.ImageId)) &&
                            v.TryGetValue(Metrics.Shap.ShapError.ReferenceCurve, out var reference) && v.TryGetValue(Metrics.Shap.ShapError.ContributionCurve, out var contribution))
                            for (int ch = 0; ch < reference.Length; ch++)
                                shap.Add(new ShapRow(methodId, image.ImageId, ch, contribution[ch], reference[ch]));
                    }
                    else if (ev.Curves is { } blob2)
                    {
                        foreach (var (curveMetric, x, y) in MapBlob.DecodeCurves(blob2))
                        {
                            string name = curveMetric.Equals(plan.Metrics[k].Descriptor.Name, StringComparison.OrdinalIgnoreCase) ? metricId : $"{metricId}:{curveMetric}";
                            if (!curves.TryGetValue((methodId, name), out var list)) curves[(methodId, name)] = list = [];
                            list.Add((x, y));
                        }
                    }
                }
            }
        }
        return new Tables(rows, Summaries(plan, rows), Curves(curves), protocols.ToDictionary(p => p.Key, p => string.Join(" | ", p.Value)), shap);
    }

    private static List<SummaryRow> Summaries(RunPlan plan, List<PerImageRow> rows)
    {
        var groups = new Dictionary<(string, string, string), List<double>>();
        var order = new List<(string Method, string Metric, string Value)>();
        foreach (var r in rows)
        {
            var key = (r.Method, r.Metric, r.ValueName);
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
                order.Add(key);
            }
            list.Add(r.Value);
        }
        var methodOrder = plan.Methods.Select(m => m.Id).ToList();
        var metricOrder = plan.Metrics.Select(m => m.Id).ToList();
        var result = new List<SummaryRow>();
        var headlineTaken = new HashSet<(string, string)>();
        foreach (var key in order.OrderBy(k => methodOrder.IndexOf(k.Method)).ThenBy(k => metricOrder.IndexOf(k.Metric)))
        {
            var descriptor = plan.Metrics[metricOrder.IndexOf(key.Metric)].Descriptor;
            int output = OutputIndex(descriptor, key.Value);
            var direction = output >= 0 ? descriptor.Outputs[output].Direction : MetricDirection.None;
            bool headline = output == 0 && headlineTaken.Add((key.Method, key.Metric));
            var s = MetricSummary.Of(key.Method, key.Metric, key.Value, groups[key]);
            result.Add(new SummaryRow(key.Method, key.Metric, key.Value, direction switch
            {
                MetricDirection.HigherIsBetter => "higher",
                MetricDirection.LowerIsBetter => "lower",
                _ => "none",
            }, headline, s.Mean, s.StandardError, s.IntervalLow, s.IntervalHigh, s.N, s.NotDefined));
        }
        return result;
    }

    /// <summary>The declared output a value belongs to: by name, or by the part before ':' for per-layer outputs ("spearman:{layer}").</summary>
    private static int OutputIndex(MetricDescriptor d, string valueName)
    {
        for (int i = 0; i < d.Outputs.Count; i++)
            if (d.Outputs[i].Name == valueName) return i;
        int colon = valueName.IndexOf(':');
        if (colon > 0)
            for (int i = 0; i < d.Outputs.Count; i++)
                if (d.Outputs[i].Name.StartsWith(valueName[..(colon + 1)], StringComparison.Ordinal)) return i;
        return -1;
    }

    private static List<CurveRow> Curves(Dictionary<(string Method, string Metric), List<(double[] X, double[] Y)>> curves)
    {
        var result = new List<CurveRow>();
        foreach (var ((method, metric), list) in curves)
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
