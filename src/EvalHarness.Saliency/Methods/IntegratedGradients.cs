using System.Numerics.Tensors;
using EvalHarness.Engine;
using Tensor = EvalHarness.Engine.Tensor;
using EvalHarness.Saliency.Gradients;

namespace EvalHarness.Saliency.Methods;

/// <summary>
/// Integrated Gradients (Sundararajan, Taly &amp; Yan 2017, eq. 3 and its Riemann approximation §"Computing
/// Integrated Gradients"): a = (x − x') ⊙ Σ_i w_i ∂y^c/∂x(x' + α_i(x − x')), with the points and weights
/// of <see cref="PathQuadrature"/> (default: captum's gausslegendre, 50 steps). The baseline x' is a
/// constant (default 0, i.e. zeros in normalised space) or a C×H×W (or 1×C×H×W) tensor. Path points of
/// one image go through the model in batches. Completeness: Σ a ≈ y^c(x) − y^c(x'); the gap is
/// reported per image in Extras["completeness_gap"] only when <see cref="ReportCompleteness"/> is set
/// (two extra forward passes). Map: |Σ_c a_c| by default.
/// </summary>
public sealed class IntegratedGradients : AttributionMethod
{
    private readonly Tensor? _baseline;

    public IntegratedGradients(int steps = 50, string method = "gausslegendre", float baselineValue = 0f, Tensor? baseline = null,
        string reduction = "abs-sum", bool reportCompleteness = false)
        : base(reduction, "integratedgradients")
    {
        Quadrature = new PathQuadrature(method, steps);
        if (!float.IsFinite(baselineValue)) throw new EvalHarnessException($"Integrated Gradients baseline value {baselineValue} is not finite.");
        if (baseline != null)
        {
            if (baseline.Rank is not (3 or 4) || (baseline.Rank == 4 && baseline.N != 1))
                throw new ShapeException($"An Integrated Gradients baseline must be C×H×W or 1×C×H×W; got {baseline.ShapeString}.");
            baseline.EnsureFinite("The Integrated Gradients baseline");
            _baseline = baseline.Rank == 4 ? baseline : baseline.Reshape([1, .. baseline.ShapeArray]);
        }
        BaselineValue = baselineValue;
        ReportCompleteness = reportCompleteness;
        string b = baseline != null ? "tensor" : baselineValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Descriptor = new("integratedgradients", 1, "gradient", false,
            $"Sundararajan et al. 2017, eq. 3; {Quadrature.Method}, {steps} steps, baseline {b}, map {Reduction}");
    }

    public PathQuadrature Quadrature { get; }

    public float BaselineValue { get; }

    public bool ReportCompleteness { get; }

    public override MethodDescriptor Descriptor { get; }

    protected override Tensor Attribute(ExplainContext context, Tensor images, IReadOnlyList<int> targets, Dictionary<string, Tensor> extras)
    {
        int item = images.ItemLength;
        int[] itemShape = images.ShapeArray[1..];
        if (_baseline != null && !_baseline.Shape[1..].SequenceEqual(itemShape))
            throw new ShapeException($"The Integrated Gradients baseline has shape {_baseline.ShapeString}; the images are {images.ShapeString} (it must be 1×{string.Join('×', itemShape)}).");
        var baseline = _baseline?.Data ?? Tensor.Full(BaselineValue, item).Data;
        var result = new Tensor(images.ShapeArray);
        var delta = new float[item];
        var alphas = Quadrature.Alphas;
        var weights = Quadrature.Weights;
        for (int n = 0; n < images.N; n++)
        {
            var x = images.Data.AsSpan(n * item, item);
            TensorPrimitives.Subtract(x, baseline, delta); // x − x'
            var sum = new double[item];
            int target = targets[n];
            InputGradients.Run(context, Quadrature.Steps, itemShape, _ => target,
                (i, dst) =>
                {
                    float a = (float)alphas[i];
                    for (int j = 0; j < dst.Length; j++) dst[j] = baseline[j] + a * delta[j]; // x' + α_i(x − x')
                },
                (i, grad) =>
                {
                    double w = weights[i];
                    for (int j = 0; j < grad.Length; j++) sum[j] += w * grad[j];
                });
            var attr = result.Data.AsSpan(n * item, item);
            for (int j = 0; j < item; j++) attr[j] = (float)(delta[j] * sum[j]); // (x − x') ⊙ Σ_i w_i ∂y^c/∂x
        }
        if (ReportCompleteness) extras["completeness_gap"] = CompletenessGap(context, images, targets, baseline, result);
        return result;
    }

    /// <summary>Σ a − (y^c(x) − y^c(x')) per image.</summary>
    private static Tensor CompletenessGap(ExplainContext context, Tensor images, IReadOnlyList<int> targets, float[] baseline, Tensor attribution)
    {
        int item = images.ItemLength;
        var logits = BatchedModel.Run(context, images.N, images.ShapeArray[1..], (n, dst) => images.Data.AsSpan(n * item, item).CopyTo(dst));
        var baseLogits = BatchedModel.Run(context, 1, images.ShapeArray[1..], (_, dst) => baseline.CopyTo(dst));
        var gap = new Tensor(images.N);
        for (int n = 0; n < images.N; n++)
        {
            double s = 0;
            foreach (float v in attribution.Sample(n)) s += v;
            gap[n] = (float)(s - (BatchedModel.Logit(logits, n, targets[n]) - BatchedModel.Logit(baseLogits, 0, targets[n])));
        }
        return gap;
    }
}
