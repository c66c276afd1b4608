using EvalHarness.Engine;
using EvalHarness.Saliency.Perturbation;
using Tensor = EvalHarness.Engine.Tensor;

namespace EvalHarness.Saliency.Methods;

/// <summary>
/// RISE (Petsiuk, Das &amp; Saenko 2018, arXiv 1806.07421, eq. 6): S = Σ_i p^c(x ⊙ M_i)·M_i / (N·p) over
/// the <see cref="RiseMasks"/> (default N = 4000, s = 7, p = 0.5), with p^c the softmax probability. Each
/// mask multiplies every channel of the preprocessed image (as eclique/RISE does); masked images go
/// through the model in batches. The raw S is Extras["saliency"]; Maps are S min-max normalised per image
/// ((S − min)/(max − min); a constant map becomes zeros).
/// </summary>
public sealed class Rise : ISaliencyMethod
{
    public Rise(int masks = 4000, int cells = 7, double keep = 0.5)
    {
        RiseMasks.Validate(masks, cells, keep);
        Masks = masks;
        Cells = cells;
        Keep = keep;
        Descriptor = new("rise", 1, "perturbation", false,
            $"Petsiuk et al. 2018 (arXiv 1806.07421), eq. 6; eclique/RISE masks; N={masks}, s={cells}, p={keep.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }

    public int Masks { get; }

    public int Cells { get; }

    public double Keep { get; }

    public MethodDescriptor Descriptor { get; }

    public SaliencyResult Explain(ExplainContext context, Tensor images, IReadOnlyList<int> targets)
    {
        SaliencyChecks.CheckBatch(context, images, targets);
        int h = images.H, w = images.W, plane = h * w, channels = images.C, item = images.ItemLength;
        var set = RiseMasks.For(h, w, Masks, Cells, Keep, context.Seed);
        var saliency = new Tensor(images.N, h, w);
        var mask = new float[plane];
        var sum = new double[plane];
        for (int n = 0; n < images.N; n++)
        {
            var image = images.Data.AsMemory(n * item, item);
            var logits = BatchedModel.Run(context, Masks, images.ShapeArray[1..], (i, dst) =>
            {
                set.Render(i, mask);
                var x = image.Span;
                for (int c = 0; c < channels; c++)
                    System.Numerics.Tensors.TensorPrimitives.Multiply(x.Slice(c * plane, plane), mask, dst.Slice(c * plane, plane)); // x ⊙ M_i
            });
            Array.Clear(sum);
            for (int i = 0; i < Masks; i++)
            {
                double p = BatchedModel.Probability(logits, i, targets[n]);
                set.Render(i, mask);
                for (int j = 0; j < plane; j++) sum[j] += p * mask[j]; // Σ_i p^c(x ⊙ M_i)·M_i
            }
            var dst = saliency.Sample(n);
            double scale = 1.0 / (Masks * Keep);                   // ÷ (N·p)
            for (int j = 0; j < plane; j++) dst[j] = (float)(sum[j] * scale);
        }
        var maps = saliency.Clone();
        for (int n = 0; n < maps.N; n++)
        {
            var m = maps.Sample(n);
            float min = System.Numerics.Tensors.TensorPrimitives.Min(m), max = System.Numerics.Tensors.TensorPrimitives.Max(m);
            if (max > min)
            {
                System.Numerics.Tensors.TensorPrimitives.Subtract(m, min, m);
                System.Numerics.Tensors.TensorPrimitives.Divide(m, max - min, m);
            }
            else m.Clear();
        }
        return new SaliencyResult { Maps = maps, Extras = new Dictionary<string, Tensor> { ["saliency"] = saliency } };
    }
}
