using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EvalHarness.Engine;
using EvalHarness.Engine.Io;
using EvalHarness.Models;
using EvalHarness.Saliency;

namespace EvalHarness.Cli;

/// <summary><c>evalharness explain</c>: one saliency map of one image, written as .npy (and optionally a PNG overlay).</summary>
internal static class ExplainCommand
{
    public const string Predicted = "predicted";

    public static Command Create()
    {
        var config = Commands.ModelConfig();
        var image = new Option<string>("--image", "-i")
        {
            Description = "The image (JPEG, PNG, BMP, PPM) or a preprocessed .npy tensor (C×H×W or 1×C×H×W float32).",
            Required = true,
        };
        var method = new Option<string>("--method") { Description = "A saliency method (see 'evalharness list methods').", Required = true };
        var parameters = new Option<string[]>("--param", "-p") { Description = "A method parameter key=value. Repeatable." };
        var layer = new Option<string?>("--layer") { Description = "The module path explained (default: the model config's target_layer)." };
        var target = new Option<string>("--target")
        {
            Description = "The class explained: an index, or 'predicted' for the top class.",
            DefaultValueFactory = _ => Predicted,
        };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the method's random choices.", DefaultValueFactory = _ => 0 };
        var batchSize = new Option<int>("--batch-size") { Description = "Largest batch a method sends through the model.", DefaultValueFactory = _ => 32 };
        var mapOut = new Option<string>("--out", "-o") { Description = "The map, float32 H×W in [0, 1], as .npy.", Required = true };
        var rawOut = new Option<string?>("--raw-out") { Description = "The raw map at the layer's resolution (h×w, before ReLU and normalisation), .npy." };
        var weightsOut = new Option<string?>("--weights-out") { Description = "The channel weights α (K values), .npy." };
        var png = new Option<string?>("--png") { Description = "A PNG of the map over the image as the network saw it (after resize and crop)." };
        var alpha = new Option<float>("--alpha") { Description = "Opacity of the map in the PNG overlay, 0 to 1.", DefaultValueFactory = _ => 0.5f };
        var command = new Command("explain", "Compute one saliency map of one image.")
        {
            config, image, method, parameters, layer, target, seed, batchSize, mapOut, rawOut, weightsOut, png, alpha,
        };
        command.SetGuardedAction((parse, output, error) =>
        {
            string outPath = Commands.OutputPath(parse.GetValue(mapOut), "--out", ".npy");
            string? rawPath = parse.GetValue(rawOut) is { } r ? Commands.OutputPath(r, "--raw-out", ".npy") : null;
            string? weightsPath = parse.GetValue(weightsOut) is { } wo ? Commands.OutputPath(wo, "--weights-out", ".npy") : null;
            string? pngPath = parse.GetValue(png) is { } pp ? Commands.OutputPath(pp, "--png", ".png") : null;
            float opacity = parse.GetValue(alpha);
            if (!(opacity is >= 0 and <= 1)) throw new EvalHarnessException($"--alpha must be between 0 and 1, not {opacity.ToString(CultureInfo.InvariantCulture)}.");
            int batch = parse.GetValue(batchSize);
            if (batch < 1) throw new EvalHarnessException($"--batch-size must be at least 1, not {batch}.");
            var explainer = SaliencyCatalog.Create(parse.GetValue(method)!, ParseParameters(parse.GetValue(parameters) ?? []));
            string imagePath = parse.GetValue(image)!;
            if (Directory.Exists(imagePath)) throw new EvalHarnessException($"explain takes one image file, and {imagePath} is a folder.");

            var model = ModelLoader.Load(parse.GetValue(config)!);
            Commands.NoteIfNotPretrained(model, error);
            string? layerName = parse.GetValue(layer) ?? (explainer.Descriptor.NeedsTargetLayer ? model.TargetLayer : null);
            if (layerName is not null) model.Graph.IndexOf(layerName);
            int? requested = ParseTarget(parse.GetValue(target) ?? Predicted, model);
            var input = InputFiles.Read(imagePath, model);
            var x = input.Tensor;

            var logits = model.Logits(x);
            logits.EnsureFinite($"The logits of {imagePath}");
            var probabilities = Ranking.Softmax(logits.Sample(0));
            int predicted = Ranking.ArgMax(logits.Sample(0));
            int cls = requested ?? predicted;

            var context = new ExplainContext { Graph = model.Graph, TargetLayer = layerName, Seed = parse.GetValue(seed), BatchSize = batch };
            var clock = Stopwatch.StartNew();
            var result = explainer.Explain(context, x, [cls]);
            clock.Stop();

            var map = MapOf(result, x, explainer.Descriptor.Name, error);
            Tensor? raw = null, weights = null;
            if (rawPath is not null)
                raw = result.RawMaps is { } rm ? rm.SliceBatch(0, 1).Reshape(rm.Dim(1), rm.Dim(2))
                    : throw new EvalHarnessException($"Method '{explainer.Descriptor.Name}' gives no raw map; leave out --raw-out.");
            if (weightsPath is not null)
                weights = result.ChannelWeights is { } cw ? cw.SliceBatch(0, 1).Reshape(cw.Dim(1))
                    : throw new EvalHarnessException($"Method '{explainer.Descriptor.Name}' gives no channel weights; leave out --weights-out.");

            Write(outPath, map);
            if (raw is not null) Write(rawPath!, raw);
            if (weights is not null) Write(weightsPath!, weights);
            if (pngPath is not null)
            {
                var picture = Overlay.Blend(Overlay.InputImage(x, model.Preprocessing), map.Data, opacity);
                Commands.EnsureFolder(pngPath);
                Png.Write(pngPath, picture);
            }

            var inv = CultureInfo.InvariantCulture;
            output.WriteLine($"{imagePath}: {explainer.Descriptor.Name} v{explainer.Descriptor.Version}" +
                             (layerName is null ? "" : $" on {layerName}") + $" of {model.Config.Name}");
            output.WriteLine(string.Create(inv, $"target {cls} ({model.ClassName(cls)}), p = {probabilities[cls]:0.0000}") +
                             (cls == predicted ? " (the predicted class)" : string.Create(inv, $"; predicted {predicted} ({model.ClassName(predicted)}), p = {probabilities[predicted]:0.0000}")));
            output.WriteLine(string.Create(inv, $"map {map.Dim(0)}×{map.Dim(1)} → {outPath} in {clock.Elapsed.TotalSeconds:0.000} s"));
            return 0;
        });
        return command;
    }

    /// <summary>key=value pairs; a key given twice or without '=' is an error.</summary>
    internal static Dictionary<string, string> ParseParameters(IEnumerable<string> pairs)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in pairs)
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0)
                throw new EvalHarnessException($"--param '{pair}' is not key=value (e.g. --param variant=official).");
            string key = pair[..eq].Trim(), value = pair[(eq + 1)..].Trim();
            if (!result.TryAdd(key, value))
                throw new EvalHarnessException($"--param '{key}' is given twice.");
        }
        return result;
    }

    /// <summary>null for "predicted", else a class index checked against the model.</summary>
    private static int? ParseTarget(string text, LoadedModel model)
    {
        if (text.Trim().Equals(Predicted, StringComparison.OrdinalIgnoreCase)) return null;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int index))
            throw new EvalHarnessException($"--target '{text}' is neither a class index (0 to {model.NumClasses - 1}) nor '{Predicted}'.");
        model.CheckClass(index);
        return index;
    }

    /// <summary>The H×W map of image 0; a method whose values leave [0, 1] is min-max normalised (and said so).</summary>
    private static Tensor MapOf(SaliencyResult result, Tensor x, string method, TextWriter error)
    {
        var maps = result.Maps;
        if (maps.Rank != 3 || maps.N != 1 || maps.Dim(1) != x.H || maps.Dim(2) != x.W)
            throw new InvalidOperationException($"Method '{method}' returned maps {maps.ShapeString} for an input {x.ShapeString}.");
        var map = maps.Reshape(x.H, x.W);
        map.EnsureFinite($"The map of method '{method}'");
        float min = System.Numerics.Tensors.TensorPrimitives.Min(map.Data), max = System.Numerics.Tensors.TensorPrimitives.Max(map.Data);
        if (min >= 0 && max <= 1) return map;
        error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"note: {method} gives values in [{min}, {max}]; the map written is min-max normalised to [0, 1]."));
        var scaled = map.Clone();
        float range = max - min;
        for (int i = 0; i < scaled.Length; i++) scaled.Data[i] = range > 0 ? (scaled.Data[i] - min) / range : 0f;
        return scaled;
    }

    private static void Write(string path, Tensor tensor)
    {
        Commands.EnsureFolder(path);
        Npy.Write(path, tensor);
    }
}
