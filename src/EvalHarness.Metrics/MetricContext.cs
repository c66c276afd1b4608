using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Saliency;

namespace EvalHarness.Metrics;

/// <summary>
/// Everything a metric may read for one batch: the model, the preprocessed images and their target
/// classes, the maps a method produced for them, and (per metric) annotations, the method's full
/// result, the method itself, the target layer and the preprocessing.
/// </summary>
public sealed class MetricContext
{
    public required Graph Graph { get; init; }

    /// <summary>N×C×H×W preprocessed (normalised) images.</summary>
    public required Tensor Images { get; init; }

    /// <summary>Target class c of each image.</summary>
    public required IReadOnlyList<int> Targets { get; init; }

    /// <summary>
    /// N×H×W saliency maps at the input resolution (any value scale; metrics state how they use it).
    /// Localisation metrics also take maps in another frame (e.g. resized to the original image, as
    /// TorchRay's benchmark does) with the boxes and masks given in that frame.
    /// </summary>
    public required Tensor Maps { get; init; }

    /// <summary>Annotated boxes per image in the maps' frame (localisation metrics).</summary>
    public IReadOnlyList<IReadOnlyList<BoundingBox>>? Boxes { get; init; }

    /// <summary>Annotated object masks per image in the maps' frame, MapHeight·MapWidth flags each (localisation metrics with region: masks).</summary>
    public IReadOnlyList<IReadOnlyList<ObjectMask>>? Masks { get; init; }

    /// <summary>The method's full result for this batch: channel contributions for shap-error.</summary>
    public SaliencyResult? Saliency { get; init; }

    /// <summary>The method that produced <see cref="Maps"/>, re-run by sanity-randomization.</summary>
    public ISaliencyMethod? Method { get; init; }

    /// <summary>The layer CAM-like methods read; shap-error's game is played on its activation maps.</summary>
    public string? TargetLayer { get; init; }

    /// <summary>The preprocessing that produced <see cref="Images"/>; its mean and std let masking happen on raw pixels.</summary>
    public Preprocessing? Preprocessing { get; init; }

    /// <summary>Seed of every random choice a metric makes (noise substrates, re-initialised weights, permutations).</summary>
    public ulong Seed { get; init; }

    /// <summary>Largest batch sent through the model at once.</summary>
    public int BatchSize { get; init; } = 32;

    public int N => Images.N;

    public int H => Images.H;

    public int W => Images.W;

    public int MapHeight => Maps.Dim(1);

    public int MapWidth => Maps.Dim(2);

    /// <summary>The same model, layer, seed and batch size as a method sees them.</summary>
    public ExplainContext ExplainContext() => new() { Graph = Graph, TargetLayer = TargetLayer, Seed = Seed, BatchSize = BatchSize };

    /// <summary>The values of image <paramref name="n"/>'s map in row-major order.</summary>
    public ReadOnlySpan<float> Map(int n) => Maps.Data.AsSpan(n * MapHeight * MapWidth, MapHeight * MapWidth);

    /// <summary>Why map <paramref name="n"/> cannot be scored (NaN or infinite values), or null when it can.</summary>
    public string? MapProblem(int n)
    {
        foreach (float v in Map(n))
        {
            if (float.IsNaN(v)) return "the saliency map contains NaN";
            if (!float.IsFinite(v)) return "the saliency map contains an infinite value";
        }
        return null;
    }

    /// <summary>Throws for inputs no metric can use: shapes that do not fit, non-finite images, malformed annotations.</summary>
    /// <param name="mapsAtInputResolution">False for metrics that accept maps in any frame (localisation).</param>
    public void Validate(string metric, bool mapsAtInputResolution = true)
    {
        if (Images.Rank != 4)
            throw new ShapeException($"Metric '{metric}': images must be N×C×H×W, got {Images.ShapeString}.");
        if (Images.N == 0) throw new ShapeException($"Metric '{metric}': the batch is empty.");
        Images.EnsureFinite($"Metric '{metric}': the images");
        if (Targets.Count != N)
            throw new ShapeException($"Metric '{metric}': {Targets.Count} target classes for a batch of {N} images.");
        for (int n = 0; n < N; n++)
            if (Targets[n] < 0) throw new EvalHarnessException($"Metric '{metric}': target class {Targets[n]} of image {n} is negative.");
        bool mapsFit = Maps.Rank == 3 && Maps.Dim(0) == N &&
            (mapsAtInputResolution ? Maps.Dim(1) == H && Maps.Dim(2) == W : Maps.Dim(1) > 0 && Maps.Dim(2) > 0);
        if (!mapsFit)
            throw new ShapeException($"Metric '{metric}': the maps are {Maps.ShapeString}; expected one map per image " + (mapsAtInputResolution
                ? $"at the input resolution, [{N}, {H}, {W}] (N×H×W). Upsample low-resolution maps to the input size first."
                : $"in the frame of the annotations, [{N}, height, width]."));
        if (BatchSize <= 0) throw new EvalHarnessException($"Metric '{metric}': batch size {BatchSize} must be positive.");
        if (Boxes != null)
        {
            if (Boxes.Count != N) throw new ShapeException($"Metric '{metric}': box lists for {Boxes.Count} images, but the batch has {N}.");
            for (int n = 0; n < N; n++)
                foreach (var b in Boxes[n] ?? throw new EvalHarnessException($"Metric '{metric}': image {n} has a null box list (give an empty list for no boxes)."))
                    if (b.X1 < b.X0 || b.Y1 < b.Y0)
                        throw new EvalHarnessException($"Metric '{metric}': box {b} of image {n} is inverted; boxes are half-open pixel ranges " +
                            "with X0 ≤ X1 and Y0 ≤ Y1 (columns X0 ≤ x < X1, rows Y0 ≤ y < Y1).");
        }
        if (Masks != null)
        {
            if (Masks.Count != N) throw new ShapeException($"Metric '{metric}': mask lists for {Masks.Count} images, but the batch has {N}.");
            for (int n = 0; n < N; n++)
                foreach (var m in Masks[n] ?? throw new EvalHarnessException($"Metric '{metric}': image {n} has a null mask list (give an empty list for no masks)."))
                    if (m.Pixels.Length != MapHeight * MapWidth)
                        throw new ShapeException($"Metric '{metric}': a mask of image {n} has {m.Pixels.Length} pixels; the maps are {MapHeight}×{MapWidth} = {MapHeight * MapWidth}.");
        }
    }
}
