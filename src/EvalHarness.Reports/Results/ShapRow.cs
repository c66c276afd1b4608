namespace EvalHarness.Reports.Results;

/// <summary>
/// One row of shap.csv: for one image, one method and one activation map (channel) of the target layer,
/// the method's channel contribution φ̂_k and the reference Shapley value φ*_k that the shap-error metric
/// compared it with. The file is optional; the SHAP scatter plot reads it.
/// </summary>
public sealed record ShapRow(string Method, string ImageId, int Channel, double Contribution, double Reference);
