using System.Numerics.Tensors;
using EvalHarness.Engine;
using Tensor = EvalHarness.Engine.Tensor;
using EvalHarness.Saliency.Gradients;

namespace EvalHarness.Saliency.Methods;

/// <summary>
/// SmoothGrad (Smilkov et al. 2017, arXiv 1706.03825, eq. 3): the gradient averaged over
/// <see cref="Samples"/> copies x + N(0, σ²) with σ = <see cref="NoiseLevel"/>·(max(x) − min(x)) per image
/// (§3, "noise level" 10-20%). Noise comes from <see cref="ExplainContext.RngFor"/>("smoothgrad", image),
/// so an image gets the same copies alone or in any batch; copies go through the model in batches.
/// What is averaged (<see cref="Average"/>):
/// <list type="bullet">
/// <item><c>gradient</c> (default, eq. 3): mean of ∂y^c/∂x, then the map reduction (abs-max: max_c |mean|).</item>
/// <item><c>absolute</c>: mean of |∂y^c/∂x| (captum NoiseTunnel over Saliency(abs=True)).</item>
/// <item><c>squared</c>: mean of (∂y^c/∂x)² (SmoothGrad-Squared, Hooker et al. 2019).</item>
/// </list>
/// </summary>
public sealed class SmoothGrad : AttributionMethod
{
    public static readonly IReadOnlyList<string> Averages = ["gradient", "absolute", "squared"];

    public SmoothGrad(int samples = 50, double noiseLevel = 0.15, string average = "gradient", string reduction = "abs-max")
        : base(reduction, "smoothgrad")
    {
        if (samples <= 0) throw new EvalHarnessException($"SmoothGrad needs at least one noisy sample; got {samples}.");
        if (!(noiseLevel >= 0) || double.IsInfinity(noiseLevel)) throw new EvalHarnessException($"SmoothGrad noise level {noiseLevel} must be a finite number ≥ 0.");
        average = average.Trim().ToLowerInvariant();
        if (!Averages.Contains(average))
            throw new UnknownNameException(NameMatcher.UnknownMessage("SmoothGrad average", average, Averages.ToList()));
        Samples = samples;
        NoiseLevel = noiseLevel;
        Average = average;
        Descriptor = new("smoothgrad", 1, "gradient", false,
            FormattableString.Invariant($"Smilkov et al. 2017 (arXiv 1706.03825), eq. 3; n={samples}, σ={noiseLevel}·(max−min), average {average}, map {Reduction}"));
    }

    public int Samples { get; }

    public double NoiseLevel { get; }

    public string Average { get; }

    public override MethodDescriptor Descriptor { get; }

    protected override Tensor Attribute(ExplainContext context, Tensor images, IReadOnlyList<int> targets, Dictionary<string, Tensor> extras)
    {
        var result = new Tensor(images.ShapeArray);
        int item = images.ItemLength;
        int[] itemShape = images.ShapeArray[1..];
        var sigmas = new Tensor(images.N);
        for (int n = 0; n < images.N; n++)
        {
            var x = images.Data.AsMemory(n * item, item);
            float sigma = (float)(NoiseLevel * (TensorPrimitives.Max(x.Span) - TensorPrimitives.Min(x.Span)));
            sigmas[n] = sigma;
            var rng = context.RngFor("smoothgrad", images, n); // fill is called in sample order, so the stream is read in order
            var sum = result.Data.AsMemory(n * item, item);
            var scratch = new float[item];
            int target = targets[n];
            InputGradients.Run(context, Samples, itemShape, _ => target,
                (_, dst) =>
                {
                    var src = x.Span;
                    for (int i = 0; i < dst.Length; i++) dst[i] = src[i] + sigma * (float)rng.NextGaussian(); // x + N(0, σ²)
                },
                (_, grad) =>
                {
                    var acc = sum.Span;
                    switch (Average)
                    {
                        case "gradient": TensorPrimitives.Add(acc, grad, acc); break;
                        case "absolute":
                            TensorPrimitives.Abs(grad, scratch);
                            TensorPrimitives.Add(acc, scratch, acc);
                            break;
                        default: TensorPrimitives.MultiplyAdd(grad, grad, acc, acc); break;
                    }
                });
            TensorPrimitives.Divide(sum.Span, Samples, sum.Span); // eq. 3: 1/n Σ
        }
        extras["sigma"] = sigmas;
        return result;
    }
}
