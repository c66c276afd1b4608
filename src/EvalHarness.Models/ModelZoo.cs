using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Models.Architectures;

namespace EvalHarness.Models;

/// <summary>
/// The architectures EvalHarness can build, by torchvision builder name (case-insensitive), with
/// torchvision 0.14's module structure and state-dict names, so torchvision checkpoints load unchanged;
/// and synthnet, the small CNN of the synthetic ground-truth benchmark.
/// </summary>
public static class ModelZoo
{
    /// <summary>torchvision's ImageNet crop size, used by every registered architecture but synthnet (64).</summary>
    public const int ImageNetInputSize = 224;

    private static readonly Dictionary<string, ArchitectureSpec> Specs = BuildRegistry();

    /// <summary>Registered names, in registration order.</summary>
    public static IReadOnlyList<string> Architectures { get; } = Specs.Values.Select(s => s.Name).ToList();

    /// <summary>The registered torchvision architectures (all but synthnet).</summary>
    public static IReadOnlyList<string> TorchvisionArchitectures { get; } = Specs.Values.Where(s => s.Torchvision).Select(s => s.Name).ToList();

    public static bool Contains(string arch) => Specs.ContainsKey(arch);

    /// <summary>The architecture's spec; an unknown name throws <see cref="UnknownNameException"/> listing near misses.</summary>
    public static ArchitectureSpec Get(string arch)
    {
        ArgumentNullException.ThrowIfNull(arch);
        return Specs.TryGetValue(arch, out var spec)
            ? spec
            : throw new UnknownNameException(NameMatcher.UnknownMessage("architecture", arch, Architectures.ToList()));
    }

    public static Graph Create(string arch, int numClasses = 1000) => Get(arch).Create(numClasses);

    public static string DefaultTargetLayer(string arch) => Get(arch).DefaultTargetLayer;

    public static int DefaultInputSize(string arch) => Get(arch).InputSize;

    private static Dictionary<string, ArchitectureSpec> BuildRegistry()
    {
        var specs = new Dictionary<string, ArchitectureSpec>(StringComparer.OrdinalIgnoreCase);
        void Register(ArchitectureSpec spec)
        {
            if (!specs.TryAdd(spec.Name, spec))
                throw new InvalidOperationException($"Architecture '{spec.Name}' is registered twice.");
        }

        foreach (int depth in new[] { 11, 13, 16, 19 })
        {
            foreach (bool bn in new[] { false, true })
            {
                int d = depth;
                Register(new ArchitectureSpec($"vgg{d}{(bn ? "_bn" : "")}", "vgg", Vgg.LastFeatureRelu(d, bn), ImageNetInputSize,
                    n => Vgg.Build(d, bn, n)));
            }
        }
        foreach (int depth in new[] { 18, 34, 50, 101, 152 })
        {
            int d = depth;
            Register(new ArchitectureSpec($"resnet{d}", "resnet", "layer4", ImageNetInputSize, n => ResNet.Build(d, n)));
        }
        Register(new ArchitectureSpec("squeezenet1_0", "squeezenet", SqueezeNet.LastFire, ImageNetInputSize, n => SqueezeNet.Build("1_0", n)));
        Register(new ArchitectureSpec("squeezenet1_1", "squeezenet", SqueezeNet.LastFire, ImageNetInputSize, n => SqueezeNet.Build("1_1", n)));
        Register(new ArchitectureSpec("alexnet", "alexnet", AlexNet.LastFeatureRelu, ImageNetInputSize, AlexNet.Build));
        Register(new ArchitectureSpec("mobilenet_v2", "mobilenet", MobileNetV2.LastFeatures, ImageNetInputSize, MobileNetV2.Build));
        Register(new ArchitectureSpec("synthnet", "synthnet", SynthNet.LastFeatureRelu, SynthNet.InputSize, SynthNet.Build, torchvision: false));
        return specs;
    }
}
