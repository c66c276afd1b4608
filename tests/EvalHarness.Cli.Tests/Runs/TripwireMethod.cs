using EvalHarness.Engine;
using EvalHarness.Saliency;

namespace EvalHarness.Cli.Tests.Runs;

/// <summary>
/// map(y, x) = mean over channels of |input| at (y, x); it throws on a batch that holds the image
/// <c>at_image</c> while the file <c>trip_file</c> exists, as a user's method with a bug would fail in the
/// middle of a run. Deleting the file lets a resumed run finish. Run configs load it by path from this test assembly.
/// </summary>
public sealed class TripwireMethod : ISaliencyMethod
{
    private readonly string _tripFile;
    private readonly string _atImage;

    public TripwireMethod(IReadOnlyDictionary<string, string> parameters)
    {
        _tripFile = parameters.TryGetValue("trip_file", out var f) ? f : throw new EvalHarnessException("Tripwire needs the parameter trip_file.");
        _atImage = parameters.TryGetValue("at_image", out var i) ? i : throw new EvalHarnessException("Tripwire needs the parameter at_image.");
    }

    public MethodDescriptor Descriptor { get; } = new("tripwire", 1, "baseline", false, "test method that fails on one image");

    public SaliencyResult Explain(ExplainContext context, Tensor images, IReadOnlyList<int> targets)
    {
        if (context.ImageIds is { } ids && ids.Contains(_atImage) && File.Exists(_tripFile))
            throw new InvalidOperationException($"tripwire at image {_atImage}");
        int n = images.N, c = images.C, plane = images.H * images.W;
        var maps = new Tensor(n, images.H, images.W);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < c; k++)
                for (int p = 0; p < plane; p++)
                    maps.Data[i * plane + p] += Math.Abs(images.Data[(i * c + k) * plane + p]) / c;
        return new SaliencyResult { Maps = maps };
    }
}
