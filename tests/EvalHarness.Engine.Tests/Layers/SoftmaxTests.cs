using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Engine.Tests.Layers;

public class SoftmaxTests
{
    [Theory]
    [InlineData(3, 10)]
    [InlineData(1, 1)]
    [InlineData(2, 1000)]
    public void Softmax_matches_the_definition(int n, int classes)
    {
        var x = TestTensors.Uniform(1, [n, classes], -4f, 4f);
        GradCheck.Check(new Softmax(), [x], a => Reference.Softmax(a[0], n, classes), maxChecksPerArray: 200);
    }

    [Theory]
    [InlineData(3, 10)]
    [InlineData(1, 1)]
    [InlineData(2, 1000)]
    public void LogSoftmax_matches_the_definition(int n, int classes)
    {
        var x = TestTensors.Uniform(2, [n, classes], -4f, 4f);
        GradCheck.Check(new LogSoftmax(), [x], a => Reference.LogSoftmax(a[0], n, classes), maxChecksPerArray: 200);
    }

    [Fact]
    public void Large_logits_are_handled_stably()
    {
        // [1000, 1000 + ln 3] → [1/4, 3/4]; a naive exp would overflow to ∞/∞.
        var x = Tensor.FromArray([1000f, 1000f + MathF.Log(3f), -1000f, -1000f + MathF.Log(3f)], 2, 2);
        var p = new Softmax().Forward([x]);
        for (int i = 0; i < 4; i += 2)
        {
            Assert.Equal(0.25f, p.Data[i], 5);
            Assert.Equal(0.75f, p.Data[i + 1], 5);
        }
        var logp = new LogSoftmax().Forward([x]);
        Assert.Equal(MathF.Log(0.25f), logp.Data[0], 4);
        Assert.Equal(MathF.Log(0.75f), logp.Data[3], 4);
        var (loss, grad) = CrossEntropyLoss.Compute(x, [1, 0]);
        Assert.Equal((-Math.Log(0.75) - Math.Log(0.25)) / 2, loss, 4);
        Assert.All(grad.Data, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Cross_entropy_matches_the_definition_and_its_gradient()
    {
        const int n = 4, classes = 6;
        var x = TestTensors.Uniform(3, [n, classes], -3f, 3f);
        int[] targets = [0, 5, 2, 2];
        var (loss, grad) = CrossEntropyLoss.Compute(x, targets);
        var xd = TestTensors.ToDouble(x);
        Assert.Equal(Reference.CrossEntropy(xd, n, classes, targets), loss, 5);
        for (int i = 0; i < xd.Length; i++)
        {
            double saved = xd[i];
            xd[i] = saved + 1e-6;
            double plus = Reference.CrossEntropy(xd, n, classes, targets);
            xd[i] = saved - 1e-6;
            double minus = Reference.CrossEntropy(xd, n, classes, targets);
            xd[i] = saved;
            Assert.Equal((plus - minus) / 2e-6, grad.Data[i], 5);
        }
    }

    [Fact]
    public void Cross_entropy_hand_derived()
    {
        // logits [0, ln 3] → p = [1/4, 3/4]; target 1 → loss −ln(3/4), gradient p − onehot = [1/4, −1/4]
        var (loss, grad) = CrossEntropyLoss.Compute(Tensor.FromArray([0f, MathF.Log(3f)], 1, 2), [1]);
        Assert.Equal(-Math.Log(0.75), loss, 6);
        Assert.Equal(0.25f, grad.Data[0], 6);
        Assert.Equal(-0.25f, grad.Data[1], 6);
    }

    [Fact]
    public void Cross_entropy_rejects_bad_targets_clearly()
    {
        var x = new Tensor(2, 5);
        var ex = Assert.Throws<EvalHarnessException>(() => CrossEntropyLoss.Compute(x, [1, 5]));
        Assert.Contains("target 5", ex.Message);
        Assert.Contains("0..4", ex.Message);
        ex = Assert.Throws<EvalHarnessException>(() => CrossEntropyLoss.Compute(x, [-1, 0]));
        Assert.Contains("target -1", ex.Message);
        Assert.Throws<ShapeException>(() => CrossEntropyLoss.Compute(x, [1]));
        Assert.Throws<ShapeException>(() => CrossEntropyLoss.Compute(new Tensor(2, 5, 1, 1), [1, 1]));
    }

    [Fact]
    public void Softmax_layers_want_batch_by_classes()
    {
        var ex = Assert.Throws<ShapeException>(() => new Softmax().Forward([new Tensor(1, 3, 2, 2)]));
        Assert.Contains("Softmax(dim=1)", ex.Message);
        Assert.Contains("[1×3×2×2]", ex.Message);
        Assert.Throws<ShapeException>(() => new LogSoftmax().Forward([new Tensor(4)]));
    }
}
