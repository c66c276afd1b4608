using EvalHarness.Saliency;

namespace EvalHarness.Harness;

/// <summary>
/// A method as the run uses it: its unique id, the method's descriptor (name and version), the
/// parameters as given, the target layer (null for methods that read none), and how to make a fresh
/// instance. <see cref="Assembly"/> and <see cref="TypeName"/> are set for .NET methods loaded by path.
/// </summary>
public sealed record MethodPlan(
    string Id, MethodDescriptor Descriptor, IReadOnlyDictionary<string, string> Parameters, string? Layer,
    Func<ISaliencyMethod> Create, string? Assembly = null, string? TypeName = null, string? AssemblySha256 = null)
{
    /// <summary>Everything that determines the maps besides model, image and target: name, version, parameters, layer, code identity.</summary>
    public string Identity =>
        $"method={Descriptor.Name};v={Descriptor.Version};layer={Layer};params={PlanText.Parameters(Parameters)}" +
        (AssemblySha256 is null ? "" : $";assembly={AssemblySha256};type={TypeName}");
}
