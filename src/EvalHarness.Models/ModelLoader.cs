using EvalHarness.Engine;
using EvalHarness.Engine.Io;
using EvalHarness.Engine.Nn;
using EvalHarness.Models.Config;

namespace EvalHarness.Models;

/// <summary>Builds the network a <see cref="ModelConfig"/> describes and gives it its weights.</summary>
public static class ModelLoader
{
    /// <summary>Reads and validates a YAML config, then loads the model.</summary>
    public static LoadedModel Load(string configPath) => Load(ModelConfig.Load(configPath));

    /// <summary>
    /// Weights load strictly (every parameter given, no unknown key, shapes equal; BatchNorm's
    /// num_batches_tracked ignored) from .safetensors, or .pth/.pt through <see cref="PyTorchCheckpoint"/>;
    /// errors name the weights file. Without weights every parameter gets eh-init-v1 values.
    /// </summary>
    public static LoadedModel Load(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var graph = ModelZoo.Create(config.Architecture, config.NumClasses);
        graph.IndexOf(config.ResolvedTargetLayer); // unknown layers list near misses
        int loaded = 0;
        if (config.Weights is string path)
        {
            var options = new StateDictLoadOptions { Strict = true, StripPrefix = config.StripPrefix };
            string ext = Path.GetExtension(path).ToLowerInvariant();
            var result = ext switch
            {
                ".safetensors" => StateDictLoader.LoadFile(graph, path, options),
                ".pth" or ".pt" => StateDictLoader.Load(graph, PyTorchCheckpoint.Load(path).Tensors, options, path),
                _ => throw new FileFormatException(path, $"cannot load weights from a '{ext}' file; use .safetensors, .pth or .pt."),
            };
            loaded = result.Loaded.Count;
        }
        else
        {
            DeterministicInit.Apply(graph, config.InitSeed);
        }
        IReadOnlyList<string>? names = config.Labels switch
        {
            null => null,
            ModelConfig.ImageNetLabels => ClassLabels.ImageNet,
            var file => ClassLabels.ReadFile(file),
        };
        if (names is not null && names.Count != config.NumClasses)
            throw new EvalHarnessException($"{config.Labels} has {names.Count} class names but {config.Name} has {config.NumClasses} classes.");
        return new LoadedModel(config, graph, names, loaded);
    }
}
