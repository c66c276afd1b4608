using EvalHarness.Engine;
using EvalHarness.Saliency.Lrp;
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
        ["gradient"] = p => new Gradient(p.String("map", "abs-max")),
        ["inputxgradient"] = p => new InputXGradient(p.String("map", "abs-sum")),
        ["smoothgrad"] = p => new SmoothGrad(p.Int("samples", 50, 1), p.Double("noise", 0.15, 0), p.String("average", "gradient"), p.String("map", "abs-max")),
        ["integratedgradients"] = p => new IntegratedGradients(p.Int("steps", 50, 1), p.String("method", "gausslegendre"),
            (float)p.Double("baseline", 0), reduction: p.String("map", "abs-sum")),
        ["guidedbackprop"] = p => new GuidedBackprop(p.String("map", "abs-max")),
        ["deconvnet"] = p => new Deconvnet(p.String("map", "abs-max")),
        ["guidedgradcam"] = p => new GuidedGradCam(p.String("map", "abs-max")),
        ["lrp"] = p => new LayerwiseRelevance(p.String("composite", "epsilon-plus"), LrpSettings.Read(p, "lrp"),
            LrpSettings.Canonize(p, "lrp"), p.String("map", "abs-sum")),
        ["clrp"] = p => new ContrastiveLrp(p.String("type", "type1"), LrpSettings.Read(p, "clrp"),
            LrpSettings.Canonize(p, "clrp"), p.String("map", "sum-abs")),
        ["excitationbackprop"] = p => new ExcitationBackprop(false, p.String("layer", "")),
        ["contrastive-eb"] = p => new ExcitationBackprop(true, p.String("layer", ""), p.String("contrast_layer", "")),
        ["rise"] = p => new Rise(p.Int("masks", 4000), p.Int("cells", 7), p.Double("p", 0.5)),
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
