namespace EvalHarness.Reports.Results;

/// <summary>
/// A run's results as its exporters see them: the facts (run.json) and the tables (per_image.csv,
/// summary.csv, curves.csv) and the gallery sample. This is all the reports read.
/// </summary>
public sealed record RunResults
{
    public required RunInfo Info { get; init; }

    public required IReadOnlyList<PerImageRow> PerImage { get; init; }

    public required IReadOnlyList<SummaryRow> Summary { get; init; }

    public IReadOnlyList<CurveRow> Curves { get; init; } = [];

    /// <summary>Channel contributions and reference Shapley values (shap.csv; empty when the run has no shap-error metric).</summary>
    public IReadOnlyList<ShapRow> Shap { get; init; } = [];

    public IReadOnlyList<GalleryItem> Gallery { get; init; } = [];
}
