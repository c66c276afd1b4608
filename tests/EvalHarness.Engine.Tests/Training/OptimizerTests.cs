using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Training;
using EvalHarness.Engine.Tests.Layers;
using EvalHarness.Tests.Common;

namespace EvalHarness.Engine.Tests.Training;

public class OptimizerTests
{
    /// <summary>Replays the fixture's gradients and learning rates and compares every step with torch.optim.</summary>
    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void Steps_match_torch_optim(string name)
    {
        string dir = TestPaths.Fixture("training", name);
        float[] Load(string f) => NpyReader.Read(Path.Combine(dir, f + ".npy")).ToTensor().Data;
        var p0 = Load("p0");
        var grads = Load("grads");
        var lrs = Load("lrs");
        var expected = Load("p");
        int n = p0.Length;
        var p = new Parameter(new Tensor((float[])p0.Clone(), n));
        Optimizer opt = name == "sgd"
            ? new Sgd([("p", p)], momentum: 0.9f, weightDecay: 0.01f)
            : new Adam([("p", p)], weightDecay: 0.01f);
        for (int t = 0; t < lrs.Length; t++)
        {
            opt.ZeroGradients();
            p.Accumulate(grads.AsSpan(t * n, n));
            opt.Step(lrs[t]);
            TestTensors.AssertClose(expected.AsSpan(t * n, n), p.Value.Data, 2e-6, $"{name} step {t + 1}");
        }
    }

    [Fact]
    public void Plain_sgd_is_w_minus_lr_g_and_adams_first_step_is_lr_times_the_sign()
    {
        var p = new Parameter(Tensor.FromArray([1f, -2f, 3f], 3));
        var sgd = new Sgd([("p", p)], momentum: 0);
        p.Accumulate([0.5f, 1f, -4f]);
        sgd.Step(0.1f);
        Assert.Equal([0.95f, -2.1f, 3.4f], p.Value.Data);

        // Adam step 1: m̂ = g, v̂ = g², so the update is lr·g/(|g| + eps) ≈ lr·sign(g).
        var q = new Parameter(Tensor.FromArray([1f, -2f, 3f], 3));
        var adam = new Adam([("q", q)]);
        q.Accumulate([0.5f, -1e-3f, 40f]);
        adam.Step(0.01f);
        Assert.Equal(0.99f, q.Value.Data[0], 6);
        Assert.Equal(-1.99f, q.Value.Data[1], 5);
        Assert.Equal(2.99f, q.Value.Data[2], 6);
    }

    [Fact]
    public void Parameters_without_gradients_are_left_alone_and_buffers_are_refused()
    {
        var p = new Parameter(Tensor.FromArray([1f], 1));
        new Adam([("p", p)]).Step(1f);
        Assert.Equal(1f, p.Value.Data[0]);
        Assert.Throws<ArgumentException>(() => new Sgd([("b", new Parameter(new Tensor(1), isBuffer: true))]));
    }
}
