using System.Globalization;
using EvalHarness.Engine;

namespace EvalHarness.Saliency.Lrp;

/// <summary>Reading LRP parameters from a config: the zᴮ bounds and the rule constants.</summary>
public static class LrpSettings
{
    /// <summary>torchvision's ImageNet normalisation (mean, std per RGB channel).</summary>
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f];

    /// <summary>Lowest input value per channel after ImageNet normalisation: (0 − mean)/std.</summary>
    public static string ImageNetLow => Format(Mean.Select((m, c) => -m / Std[c]));

    /// <summary>Highest input value per channel after ImageNet normalisation: (1 − mean)/std.</summary>
    public static string ImageNetHigh => Format(Mean.Select((m, c) => (1 - m) / Std[c]));

    private static string Format(IEnumerable<float> values) => string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    /// <summary>A comma list of numbers (one value, or one per input channel).</summary>
    public static float[] ParseBounds(string text, string parameter, string method)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
                throw new EvalHarnessException($"Parameter '{parameter}' of method '{method}' is '{text}'; expected one number or a comma list with one number per input channel.");
        if (values.Length == 0)
            throw new EvalHarnessException($"Parameter '{parameter}' of method '{method}' is empty; expected one number or one per input channel.");
        return values;
    }

    /// <summary>The "canonize" parameter: true (default) or false.</summary>
    public static bool Canonize(MethodParameters p, string method)
    {
        var v = p.String("canonize", "true").Trim();
        if (bool.TryParse(v, out bool b)) return b;
        throw new EvalHarnessException($"Parameter 'canonize' of method '{method}' is '{v}'; expected true or false.");
    }

    public static LrpComposite.Settings Read(MethodParameters p, string method) => new(
        Epsilon: (float)p.Double("epsilon", LrpRule.DefaultStabilizer, 0),
        Gamma: (float)p.Double("gamma", 0.25, 0),
        Low: ParseBounds(p.String("low", ImageNetLow), "low", method),
        High: ParseBounds(p.String("high", ImageNetHigh), "high", method),
        Stabilizer: (float)p.Double("stabilizer", LrpRule.DefaultStabilizer, 0));
}
