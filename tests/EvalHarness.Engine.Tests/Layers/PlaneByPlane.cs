using EvalHarness.Engine.Nn;

namespace EvalHarness.Engine.Tests.Layers;

/// <summary>
/// For layers that treat every (image, channel) plane alike (pooling): runs a large tensor through the
/// layer at once (the multi-threaded path) and each plane on its own (small, single-threaded, checked
/// against the definition elsewhere), and asserts forward and backward agree exactly.
/// </summary>
internal static class PlaneByPlane
{
    public static void AssertSameAsSinglePlanes(Layer layer, Tensor x, int seed)
    {
        var y = layer.Forward([x]);
        var g = TestTensors.Uniform(seed, y.ShapeArray);
        var gx = layer.Backward([x], y, g, [true], false)[0]!;
        int planes = x.N * x.C, inPlane = x.H * x.W, outPlane = y.H * y.W;
        for (int p = 0; p < planes; p++)
        {
            var xp = new Tensor(x.Data.AsSpan(p * inPlane, inPlane).ToArray(), 1, 1, x.H, x.W);
            var yp = layer.Forward([xp]);
            var gp = new Tensor(g.Data.AsSpan(p * outPlane, outPlane).ToArray(), 1, 1, y.H, y.W);
            var gxp = layer.Backward([xp], yp, gp, [true], false)[0]!;
            Assert.True(yp.Data.AsSpan().SequenceEqual(y.Data.AsSpan(p * outPlane, outPlane)), $"{layer}: forward of plane {p} differs");
            Assert.True(gxp.Data.AsSpan().SequenceEqual(gx.Data.AsSpan(p * inPlane, inPlane)), $"{layer}: backward of plane {p} differs");
        }
    }
}
