using EvalHarness.Engine.Nn;

namespace EvalHarness.Engine.Tests.Layers;

/// <summary>
/// Checks a layer's Backward against central differences, in double precision, of a reference
/// forward on the scalar loss L = Σ r⊙y with random r. The reference receives the layer's inputs
/// followed by its trainable parameters (in <see cref="Layer.Parameters"/> order) as double arrays.
/// </summary>
internal static class GradCheck
{
    public static void Check(Layer layer, Tensor[] inputs, Func<double[][], double[]> reference, int seed = 7,
        double tolerance = 1e-4, int maxChecksPerArray = 400)
    {
        var trainable = layer.Parameters().Where(p => !p.Parameter.IsBuffer).Select(p => p.Parameter).ToList();
        var y = layer.Forward(inputs);
        var args = inputs.Select(TestTensors.ToDouble).Concat(trainable.Select(p => TestTensors.ToDouble(p.Value))).ToArray();
        TestTensors.AssertClose(reference(args), y.Data, 1e-5, $"{layer} forward");

        var r = TestTensors.Uniform(seed, y.ShapeArray);
        foreach (var p in trainable) p.Grad = null;
        var grads = layer.Backward(inputs, y, r, inputs.Select(_ => true).ToArray(), parameterGradients: true);
        Assert.Equal(inputs.Length, grads.Length);

        var rd = TestTensors.ToDouble(r);
        double Loss()
        {
            var yr = reference(args);
            double s = 0;
            for (int i = 0; i < yr.Length; i++) s += yr[i] * rd[i];
            return s;
        }

        var rng = new Random(seed + 1);
        for (int a = 0; a < args.Length; a++)
        {
            string what = a < inputs.Length ? $"{layer} d/d input {a}" : $"{layer} d/d {layer.Parameters().Where(p => !p.Parameter.IsBuffer).ElementAt(a - inputs.Length).Name}";
            var analytic = a < inputs.Length ? grads[a] : trainable[a - inputs.Length].Grad;
            Assert.True(analytic != null, $"{what}: no gradient was produced.");
            Assert.Equal(args[a].Length, analytic!.Length);
            var indices = Enumerable.Range(0, args[a].Length).ToArray();
            if (indices.Length > maxChecksPerArray)
            {
                rng.Shuffle(indices);
                indices = indices[..maxChecksPerArray];
            }
            var numeric = new double[indices.Length];
            var picked = new float[indices.Length];
            for (int q = 0; q < indices.Length; q++)
            {
                int i = indices[q];
                double saved = args[a][i];
                double h = 1e-6 * Math.Max(1, Math.Abs(saved));
                args[a][i] = saved + h;
                double plus = Loss();
                args[a][i] = saved - h;
                double minus = Loss();
                args[a][i] = saved;
                numeric[q] = (plus - minus) / (2 * h);
                picked[q] = analytic.Data[i];
            }
            TestTensors.AssertClose(numeric, picked, tolerance, what);
        }
    }
}
