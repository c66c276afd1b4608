namespace EvalHarness.Reports.Results;

/// <summary>
/// One row of per_image.csv: one value of one metric for one image and one method. <see cref="Value"/>
/// is NaN exactly when the value is not defined for the image; <see cref="NotDefinedReason"/> then says why.
/// </summary>
/// <param name="ImageId">The dataset's stable id of the image (file stem for ImageNet).</param>
/// <param name="ImageIndex">Position of the image in the run's selection (0-based).</param>
/// <param name="Label">Ground-truth class (−1 when the dataset has none).</param>
/// <param name="Target">The class the map explains.</param>
/// <param name="Prediction">The model's top-1 class.</param>
/// <param name="Probability">Softmax probability of <see cref="Target"/> on the unchanged image.</param>
/// <param name="Method">The method's id in the run (unique per run; the config's <c>id</c>, else its name).</param>
/// <param name="Metric">The metric's id in the run.</param>
/// <param name="ValueName">Which value of the metric (e.g. "auc", "hit", "spearman:fc8").</param>
public sealed record PerImageRow(
    string ImageId, int ImageIndex, int Label, int Target, int Prediction, double Probability,
    string Method, string Metric, string ValueName, double Value, string? NotDefinedReason);
