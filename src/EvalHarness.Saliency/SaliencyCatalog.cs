using EvalHarness.Engine;
using EvalHarness.Saliency.Methods;

namespace EvalHarness.Saliency;

/// <summary>
/// The registry of saliency methods: one line per method. Names are case-insensitive; a miss is
/// answered with the nearest names. Parameters come from the config as a string map.
/// </summary>
public static class SaliencyCatalog
{
    private static readonly Registry<Func<MethodParameters, ISaliencyMethod>> Methods = new("method")
    {
        ["cam"] = _ => new ClassActivationMap(),
        ["gradcam"] = _ => new GradCam(),
        ["gradcam++"] = _ => new GradCamPlusPlus(),
        ["xgradcam"] = _ => new XGradCam(),
        ["layercam"] = _ => new LayerCam(),
        ["ablationcam"] = _ => new AblationCam(),
        ["scorecam"] = p => new ScoreCam(p.String("variant", "paper")),
        ["liftcam"] = _ => new LiftCam(),
        ["shapcam"] = p => new ShapCam(p.Int("groups", 0, 0), p.Int("pairs", 64, 2), p.String("exact", "auto")),
    };

    public static IReadOnlyList<string> Names => Methods.Names;

    public static ISaliencyMethod Create(string name, IReadOnlyDictionary<string, string>? parameters = null)
    {
        var factory = Methods.Get(name);
        var p = new MethodParameters(name, parameters);
        var method = factory(p);
        p.EnsureAllUsed();
        return method;
    }
}
