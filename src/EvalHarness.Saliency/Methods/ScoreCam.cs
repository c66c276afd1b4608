using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;

namespace EvalHarness.Saliency.Methods;

/// <summary>
/// Score-CAM (Wang et al. 2020, arXiv 1910.01279, Alg. 1). Each activation map A_k is upsampled to the
/// input size and min-max normalised to a mask M_k; its weight comes from the model's score on x ⊙ M_k.
/// Masked inputs run through the model in batches. Variants:
/// <list type="bullet">
/// <item><c>paper</c> (default): s_k = p^c(x⊙M_k) − p^c(x_b) with baseline x_b = 0, α = softmax_k(s)
/// (Alg. 1 and eq. 4-5); masks (A − min)/(max − min), a constant map gives an all-zero mask.</item>
/// <item><c>official</c>: the authors' code: α_k = p^c(x⊙M_k), constant maps skipped (α_k = 0); the map is
/// Σ_k α_k·up(A_k) at input resolution, then ReLU and min-max.</item>
/// <item><c>pytorch-grad-cam</c>: masks upsampled with align_corners=True and normalised with +1e-8,
/// α = softmax_k of the target logits y^c(x⊙M_k).</item>
/// </list>
/// </summary>
public sealed class ScoreCam : CamMethod
{
    public static readonly IReadOnlyList<string> Variants = ["paper", "official", "pytorch-grad-cam"];

    public ScoreCam(string variant = "paper")
    {
        variant = variant.Trim().ToLowerInvariant();
        if (!Variants.Contains(variant))
            throw new UnknownNameException(NameMatcher.UnknownMessage("Score-CAM variant", variant, Variants.ToList()));
        Variant = variant;
        Descriptor = new("scorecam", 1, "cam", true, $"Wang et al. 2020 (arXiv 1910.01279), Alg. 1; variant {variant}");
    }

    public string Variant { get; }

    public override MethodDescriptor Descriptor { get; }

    protected override bool UsesGradients => false;

    protected override Tensor ChannelWeights(CamInputs c)
    {
        int h = c.Images.H, w = c.Images.W, channels = c.Images.C, plane = h * w;
        bool alignCorners = Variant == "pytorch-grad-cam";
        var alpha = new Tensor(c.N, c.K);
        int[] itemShape = c.Images.ShapeArray[1..];
        for (int n = 0; n < c.N; n++)
        {
            int target = c.Targets[n];
            var a = c.Activations.SliceBatch(n, 1);
            var up = Resize.Interpolate(a, h, w, antialias: false, alignCorners); // 1×K×H×W
            var masks = up.Reshape(c.K, plane);
            var constant = new bool[c.K];
            for (int k = 0; k < c.K; k++)
            {
                var m = masks.Data.AsSpan(k * plane, plane);
                float min = System.Numerics.Tensors.TensorPrimitives.Min(m);
                float max = System.Numerics.Tensors.TensorPrimitives.Max(m);
                constant[k] = max == min;
                System.Numerics.Tensors.TensorPrimitives.Subtract(m, min, m);
                float range = Variant == "pytorch-grad-cam" ? max - min + 1e-8f : max - min;
                if (constant[k] && Variant != "pytorch-grad-cam") m.Clear();
                else System.Numerics.Tensors.TensorPrimitives.Divide(m, range, m);
            }
            var image = c.Images.Data.AsMemory(n * c.Images.ItemLength, c.Images.ItemLength);
            var logits = BatchedModel.Run(c.Context, c.K, itemShape, (k, dst) =>
            {
                var mask = masks.Data.AsSpan(k * plane, plane);
                var x = image.Span;
                for (int ch = 0; ch < channels; ch++)
                    System.Numerics.Tensors.TensorPrimitives.Multiply(x.Slice(ch * plane, plane), mask, dst.Slice(ch * plane, plane)); // x ⊙ M_k
            });
            var scores = new double[c.K];
            switch (Variant)
            {
                case "paper":
                {
                    var baseline = BatchedModel.Run(c.Context, 1, itemShape, (_, dst) => dst.Clear()); // x_b = 0
                    double pb = BatchedModel.Probability(baseline, 0, target);
                    for (int k = 0; k < c.K; k++) scores[k] = BatchedModel.Probability(logits, k, target) - pb; // Alg. 1: s_k = f(x⊙M_k) − f(x_b)
                    Softmax(scores);                                                                            // eq. 5: α = softmax(s)
                    break;
                }
                case "official":
                    for (int k = 0; k < c.K; k++) scores[k] = constant[k] ? 0 : BatchedModel.Probability(logits, k, target);
                    break;
                default:
                    for (int k = 0; k < c.K; k++) scores[k] = BatchedModel.Logit(logits, k, target);
                    Softmax(scores);
                    break;
            }
            for (int k = 0; k < c.K; k++) alpha[n, k] = (float)scores[k];
        }
        return alpha;
    }

    protected override Tensor PostProcess(Tensor raw, int height, int width)
    {
        if (Variant != "official") return base.PostProcess(raw, height, width);
        // Official code: Σ_k α_k·up(A_k) = up(Σ_k α_k A_k) (bilinear is linear), then ReLU and (x − min)/(max − min).
        var maps = MapOps.ResizeBilinear(raw, height, width);
        MapOps.ReluInPlace(maps);
        for (int n = 0; n < maps.N; n++)
        {
            var m = maps.Sample(n);
            float min = System.Numerics.Tensors.TensorPrimitives.Min(m), max = System.Numerics.Tensors.TensorPrimitives.Max(m);
            if (max == min) m.Clear();
            else
            {
                System.Numerics.Tensors.TensorPrimitives.Subtract(m, min, m);
                System.Numerics.Tensors.TensorPrimitives.Divide(m, max - min, m);
            }
        }
        return maps;
    }

    private static void Softmax(double[] s)
    {
        double max = s.Max(), sum = 0;
        for (int i = 0; i < s.Length; i++) sum += s[i] = Math.Exp(s[i] - max);
        for (int i = 0; i < s.Length; i++) s[i] /= sum;
    }
}
