using System.Globalization;
using CsvHelper;

namespace EvalHarness.Reports.Results;

/// <summary>The column layout of per_image.csv, summary.csv, curves.csv and shap.csv (docs/results-format.md).</summary>
internal static class ResultTables
{
    private static readonly IFormatProvider Inv = CultureInfo.InvariantCulture;

    private static void D(CsvWriter w, double v) => w.WriteField(v.ToString("R", Inv));

    private static void I(CsvWriter w, int v) => w.WriteField(v.ToString(Inv));

    public static readonly CsvTable<PerImageRow> PerImage = new(
        ["image_id", "image_index", "label", "target", "prediction", "probability", "method", "metric", "value_name", "value", "not_defined_reason"],
        (w, r) =>
        {
            w.WriteField(r.ImageId); I(w, r.ImageIndex); I(w, r.Label); I(w, r.Target); I(w, r.Prediction); D(w, r.Probability);
            w.WriteField(r.Method); w.WriteField(r.Metric); w.WriteField(r.ValueName); D(w, r.Value); w.WriteField(r.NotDefinedReason ?? "");
        },
        r => new PerImageRow(r.String(0), r.Int(1), r.Int(2), r.Int(3), r.Int(4), r.Double(5), r.String(6), r.String(7), r.String(8), r.Double(9), r.NullableString(10)));

    public static readonly CsvTable<SummaryRow> Summary = new(
        ["method", "metric", "value_name", "direction", "headline", "mean", "se", "ci95_low", "ci95_high", "n", "not_defined"],
        (w, r) =>
        {
            w.WriteField(r.Method); w.WriteField(r.Metric); w.WriteField(r.ValueName); w.WriteField(r.Direction); w.WriteField(r.Headline ? "true" : "false");
            D(w, r.Mean); D(w, r.StandardError); D(w, r.Ci95Low); D(w, r.Ci95High); I(w, r.N); I(w, r.NotDefined);
        },
        r => new SummaryRow(r.String(0), r.String(1), r.String(2), r.String(3), r.Bool(4), r.Double(5), r.Double(6), r.Double(7), r.Double(8), r.Int(9), r.Int(10)));

    public static readonly CsvTable<CurveRow> Curves = new(
        ["method", "metric", "step", "x", "mean_y", "se", "n"],
        (w, r) =>
        {
            w.WriteField(r.Method); w.WriteField(r.Metric); I(w, r.Step); D(w, r.X); D(w, r.MeanY); D(w, r.StandardError); I(w, r.N);
        },
        r => new CurveRow(r.String(0), r.String(1), r.Int(2), r.Double(3), r.Double(4), r.Double(5), r.Int(6)));

    public static readonly CsvTable<ShapRow> Shap = new(
        ["method", "image_id", "channel", "contribution", "reference"],
        (w, r) =>
        {
            w.WriteField(r.Method); w.WriteField(r.ImageId); I(w, r.Channel); D(w, r.Contribution); D(w, r.Reference);
        },
        r => new ShapRow(r.String(0), r.String(1), r.Int(2), r.Double(3), r.Double(4)));
}
