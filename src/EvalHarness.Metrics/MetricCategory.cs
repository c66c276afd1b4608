namespace EvalHarness.Metrics;

public enum MetricCategory
{
    /// <summary>Does the map name what the model uses (perturbation of the input)?</summary>
    Faithfulness,

    /// <summary>Does the map point at the annotated object?</summary>
    Localisation,

    /// <summary>Do a method's channel contributions agree with Shapley values of the activation maps?</summary>
    Shap,

    /// <summary>Does the map depend on the model's parameters (Adebayo et al. 2018)?</summary>
    Sanity,
}
