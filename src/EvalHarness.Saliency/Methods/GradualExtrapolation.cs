using System.Buffers;
using System.Numerics.Tensors;
using EvalHarness.Engine;
using EvalHarness.Engine.Imaging;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;
using Tensor = EvalHarness.Engine.Tensor;

namespace EvalHarness.Saliency.Methods;

/// <summary>
/// Gradual Extrapolation (Szandała 2021, arXiv 2104.04945), <c>&lt;method&gt;+ge</c>: the inner method's
/// coarse map is carried back through the network's resolution changes, following the authors'
/// GradualExtrapolator (szandala/gradual-extrapolation, gradual_extrapolation.py):
/// <list type="number">
/// <item>Excitations (register_hooks, l. 18-33; _excitation_hook, l. 11-16): the output of every MaxPool2d and of
/// every Conv2d with a stride above 1 (the reference's <c>stride &gt; (1, 1)</c> is a tuple comparison, true
/// when either stride exceeds 1), in forward order, preceded by the input of the first such layer. A ReLU
/// that alone reads a hooked output is in-place in torchvision, so that recorded tensor is the ReLU's
/// output (<see cref="RecordedNode"/>).</item>
/// <item>Coarse map: the inner method's map at its layer's resolution as TorchRay returns it to
/// get_smooth_map in the authors' vision.py — ReLU(Σ_k α_k A_k), not normalised (TorchRay's grad_cam
/// clamps at 0; its contrastive excitation backprop output is already clamped).</item>
/// <item>_upsampling (l. 45-54), for every excitation e from the last to the first: bilinear interpolation
/// (align_corners=False, no antialias) to e's h×w, then map ×= Σ_c e / max(e). The code walks all
/// excitations, also those recorded after the map's layer (the map is then first resized down to the
/// deepest pooling output); the paper's text speaks of the preceding layers, the code is followed.
/// <c>ge-layers=before-map</c> gives the variant left commented out in get_smooth_map (l. 71-77): only the
/// excitations before the first one at the map's resolution.</item>
/// <item>_normalize_to_rgb (l. 56-62): (x − mean)/std (unbiased std), clip to [−1, 1], then min-max.</item>
/// </list>
/// The reference takes max(e), mean, std, min and max over the whole batch; here they are per image,
/// which is the reference on a batch of one (so a map does not depend on its batch). Additions of the
/// harness where the reference would give NaN: a map with zero spread becomes all zeros, and
/// max(e) = 0 leaves the channel sum undivided (the limit max(e) → 0⁺; the final standardisation does
/// not see positive scale factors). If the first excitation is not at the input's resolution, the
/// normalised map is resized bilinearly to it.
/// </summary>
public sealed class GradualExtrapolation : ISaliencyMethod, IChecksModel
{
    public const string Suffix = "+ge";

    /// <summary>Version of the extrapolation itself; the descriptor's version combines it with the inner method's.</summary>
    public const int ExtrapolationVersion = 1;

    public const string AllLayers = "all";

    public const string BeforeMap = "before-map";

    public static readonly string[] LayerChoices = [AllLayers, BeforeMap];

    private readonly ISaliencyMethod _inner;
    private readonly bool _beforeMap;

    public void CheckModel(Graph graph, string? layer) => (_inner as IChecksModel)?.CheckModel(graph, layer);

    public GradualExtrapolation(ISaliencyMethod inner, string layers = AllLayers)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (!Supports(inner))
            throw new EvalHarnessException($"Gradual extrapolation needs a method that gives a map at a layer's resolution (the CAM family, " +
                $"excitation backprop); '{inner.Descriptor.Name}' gives only input-resolution maps.");
        _beforeMap = layers.Trim().ToLowerInvariant() switch
        {
            AllLayers => false,
            BeforeMap => true,
            _ => throw new UnknownNameException(NameMatcher.UnknownMessage("ge-layers choice", layers, LayerChoices)),
        };
        _inner = inner;
        var d = inner.Descriptor;
        Descriptor = new(d.Name + Suffix, checked(d.Version * 100 + ExtrapolationVersion), d.Family, d.NeedsTargetLayer,
            $"{d.Source}; Gradual Extrapolation: Szandała 2021 (arXiv 2104.04945), szandala/gradual-extrapolation" +
            (_beforeMap ? "; ge-layers before-map" : ""));
    }

    public MethodDescriptor Descriptor { get; }

    public ISaliencyMethod Inner => _inner;

    /// <summary>Methods whose result carries a map at a layer's resolution (<see cref="SaliencyResult.RawMaps"/>).</summary>
    public static bool Supports(ISaliencyMethod method) => method is CamMethod or ExcitationBackprop;

    /// <summary>
    /// The hooked layers in forward order: every max-pool and every convolution with a stride above 1
    /// (gradual_extrapolation.py l. 26-33; grouped and depthwise convolutions are torch Conv2d too).
    /// </summary>
    public static IReadOnlyList<Node> HookedLayers(Graph graph) =>
        graph.Nodes.Where(n => n.Layer is MaxPool2d || n.Layer is Conv2d c && (c.Stride.H > 1 || c.Stride.W > 1)).ToList();

    /// <summary>
    /// The node whose output the reference ends up reading for a hooked layer: the layer itself, or the
    /// ReLU that is its only reader. torchvision builds those ReLUs with inplace=True, so by the time
    /// get_smooth_map runs, the tensor the hook recorded holds the ReLU's output (squeezenet and alexnet
    /// features.0 → features.1).
    /// </summary>
    public static Node RecordedNode(Graph graph, Node hooked)
    {
        Node? reader = null;
        foreach (var node in graph.Nodes.Skip(hooked.Index + 1))
        {
            if (!node.Inputs.Contains(hooked.Index)) continue;
            if (reader is not null) return hooked;
            reader = node;
        }
        return reader is { Layer: ReLU or ReLU6 } relu && relu.Inputs.Count == 1 ? relu : hooked;
    }

    public SaliencyResult Explain(ExplainContext context, Tensor images, IReadOnlyList<int> targets)
    {
        SaliencyChecks.CheckBatch(context, images, targets);
        var graph = context.Graph;
        var hooked = HookedLayers(graph);
        if (hooked.Count == 0)
            throw new EvalHarnessException($"Gradual extrapolation ('{Descriptor.Name}') needs a max-pool or a strided convolution in the network " +
                "to extrapolate through; this network has none.");
        var inner = _inner.Explain(context, images, targets);
        var coarse = inner.RawMaps ?? throw new InvalidOperationException($"{_inner.Descriptor.Name} returned no map at its layer's resolution.");
        if (coarse.Rank != 3 || coarse.N != images.N)
            throw new ShapeException($"{_inner.Descriptor.Name} returned a layer map {coarse.ShapeString} for {images.N} images.");

        int firstInput = hooked[0].Inputs[0];
        var recorded = hooked.Select(n => RecordedNode(graph, n)).ToList();
        var keep = recorded.Select(n => n.Name).ToList();
        if (firstInput >= 0) keep.Add(graph.Nodes[firstInput].Name);

        var maps = new Tensor(images.N, images.H, images.W);
        int batch = Math.Max(1, context.BatchSize);
        for (int start = 0; start < images.N; start += batch)
        {
            int len = Math.Min(batch, images.N - start);
            var run = graph.Forward(images.SliceBatch(start, len), recordForBackward: false, keep: keep);
            var excitations = new List<Tensor>(hooked.Count + 1) { firstInput >= 0 ? run.Activation(graph.Nodes[firstInput].Name) : run.Input };
            foreach (var node in recorded) excitations.Add(run.Activation(node.Name));
            foreach (var e in excitations)
                if (e.Rank != 4) throw new ShapeException($"Gradual extrapolation needs N×C×h×w activations at the hooked layers, got {e.ShapeString}.");
            for (int i = 0; i < len; i++)
                Extrapolate(coarse, start + i, excitations, i, maps.Sample(start + i), images.H, images.W);
        }
        return new SaliencyResult
        {
            Maps = maps,
            RawMaps = coarse,
            ChannelWeights = inner.ChannelWeights,
            ChannelContributions = inner.ChannelContributions,
            Extras = inner.Extras,
        };
    }

    /// <summary>One image: the coarse map through the excitations (last to first), normalised, at H×W.</summary>
    private void Extrapolate(Tensor coarse, int n, List<Tensor> excitations, int row, Span<float> destination, int height, int width)
    {
        int h = coarse.Dim(1), w = coarse.Dim(2);
        int count = excitations.Count;
        if (_beforeMap)
        {
            // get_smooth_map l. 71-77 (commented out in the reference): keep the excitations before the first at the map's size.
            int cut = excitations.FindIndex(e => e.H == h && e.W == w);
            if (cut >= 0) count = cut;
        }
        int largest = h * w;
        for (int i = 0; i < count; i++) largest = Math.Max(largest, excitations[i].H * excitations[i].W);
        var pool = ArrayPool<float>.Shared;
        float[] heat = pool.Rent(largest), next = pool.Rent(largest), weight = pool.Rent(largest);
        try
        {
            coarse.Sample(n).CopyTo(heat);
            TensorPrimitives.Max(heat.AsSpan(0, h * w), 0f, heat.AsSpan(0, h * w)); // TorchRay's clamp(min=0) of the coarse map
            for (int i = count - 1; i >= 0; i--)
            {
                var e = excitations[i];
                Resize.Interpolate(heat.AsSpan(0, h * w), 1, h, w, next, e.H, e.W); // l. 47-52: bilinear, align_corners=False
                (heat, next) = (next, heat);
                (h, w) = (e.H, e.W);
                ChannelSumOverMax(e, row, weight.AsSpan(0, h * w));
                TensorPrimitives.Multiply(heat.AsSpan(0, h * w), weight.AsSpan(0, h * w), heat.AsSpan(0, h * w)); // l. 53
            }
            var map = heat.AsSpan(0, h * w);
            NormalizeToRgb(map);
            if (h == height && w == width) map.CopyTo(destination);
            else Resize.Interpolate(map, 1, h, w, destination, height, width);
            TensorPrimitives.Clamp(destination, 0f, 1f, destination);
        }
        finally
        {
            pool.Return(heat);
            pool.Return(next);
            pool.Return(weight);
        }
    }

    /// <summary>Σ_c e[row, c] / max(e[row]) (gradual_extrapolation.py l. 53: e.sum(dim=1, keepdim=True)/e.max()).</summary>
    private static void ChannelSumOverMax(Tensor e, int row, Span<float> destination)
    {
        int plane = e.H * e.W;
        var sample = e.Sample(row);
        destination.Clear();
        for (int c = 0; c < e.C; c++) TensorPrimitives.Add(destination, sample.Slice(c * plane, plane), destination);
        float max = TensorPrimitives.Max(sample);
        if (max != 0) TensorPrimitives.Divide(destination, max, destination);
    }

    /// <summary>
    /// _normalize_to_rgb (gradual_extrapolation.py l. 56-62): (x − mean)/std with the unbiased std, clip to
    /// [−1, 1], then (x − min)/(max − min). Zero spread at either step gives all zeros instead of NaN. In place.
    /// </summary>
    public static void NormalizeToRgb(Span<float> map)
    {
        int n = map.Length;
        double sum = 0;
        foreach (float v in map) sum += v;
        double mean = sum / n, squares = 0;
        foreach (float v in map) squares += (v - mean) * (v - mean);
        double std = n > 1 ? Math.Sqrt(squares / (n - 1)) : 0; // torch.std: Bessel-corrected
        if (!(std > 0) || !double.IsFinite(std) || !double.IsFinite(mean))
        {
            map.Clear();
            return;
        }
        float m = (float)mean, s = (float)std;
        for (int i = 0; i < n; i++) map[i] = Math.Clamp((map[i] - m) / s, -1f, 1f);
        float min = TensorPrimitives.Min(map), range = TensorPrimitives.Max(map) - min;
        if (!(range > 0))
        {
            map.Clear();
            return;
        }
        for (int i = 0; i < n; i++) map[i] = (map[i] - min) / range;
    }
}
