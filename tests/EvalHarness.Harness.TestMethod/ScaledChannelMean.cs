using System.Globalization;
using EvalHarness.Engine;
using EvalHarness.Saliency;

namespace EvalHarness.Harness.TestMethod;

/// <summary>map(y, x) = scale · mean over channels of the input at (y, x), ignoring the target.</summary>
public sealed class ScaledChannelMean : ISaliencyMethod
{
    private readonly float _scale;

    public ScaledChannelMean(IReadOnlyDictionary<string, string> parameters)
    {
        _scale = 1f;
        foreach (var (key, value) in parameters)
        {
            if (key != "scale") throw new EvalHarnessException($"ScaledChannelMean has no parameter '{key}'; its parameters: scale.");
            _scale = float.Parse(value, CultureInfo.InvariantCulture);
        }
    }

    public MethodDescriptor Descriptor { get; } = new("scaled-channel-mean", 3, "baseline", false, "test method");

    public SaliencyResult Explain(ExplainContext context, Tensor images, IReadOnlyList<int> targets)
    {
        int n = images.N, c = images.C, plane = images.H * images.W;
        var maps = new Tensor(n, images.H, images.W);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < c; k++)
                for (int p = 0; p < plane; p++)
                    maps.Data[i * plane + p] += _scale * images.Data[(i * c + k) * plane + p] / c;
        return new SaliencyResult { Maps = maps };
    }
}
