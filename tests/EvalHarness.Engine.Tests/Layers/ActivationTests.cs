using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Engine.Tests.Layers;

public class ActivationTests
{
    [Fact]
    public void ReLU_matches_the_definition()
    {
        var x = TestTensors.Uniform(1, [2, 3, 4, 5]);
        GradCheck.Check(new ReLU(), [x], a => Reference.ReLU(a[0]));
    }

    [Fact]
    public void ReLU6_matches_the_definition_on_both_sides_of_the_clamp()
    {
        var x = TestTensors.Uniform(2, [2, 3, 4, 5], -2f, 8f);
        Assert.Contains(x.Data, v => v > 6f);
        Assert.Contains(x.Data, v => v < 0f);
        GradCheck.Check(new ReLU6(), [x], a => Reference.ReLU6(a[0]));
    }

    [Fact]
    public void Gradient_at_the_kinks_is_zero_as_in_PyTorch()
    {
        var x = Tensor.FromArray([0f, 6f, 3f, -1f, 7f], 1, 5);
        var ones = Tensor.Full(1f, 1, 5);
        var relu = new ReLU();
        Assert.Equal([0f, 1f, 1f, 0f, 1f], relu.Backward([x], relu.Forward([x]), ones, [true], false)[0]!.Data);
        var relu6 = new ReLU6();
        var y6 = relu6.Forward([x]);
        Assert.Equal([0f, 6f, 3f, 0f, 6f], y6.Data);
        Assert.Equal([0f, 0f, 1f, 0f, 0f], relu6.Backward([x], y6, ones, [true], false)[0]!.Data);
    }

    [Fact]
    public void Dropout_is_the_identity_at_inference()
    {
        var x = TestTensors.Uniform(3, [2, 6]);
        var dropout = new Dropout(0.5f);
        Assert.Equal(x.Data, dropout.Forward([x]).Data);
        GradCheck.Check(dropout, [x], a => a[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1f));
    }

    [Fact]
    public void Wrong_gradient_shape_is_rejected()
    {
        var x = new Tensor(2, 3);
        var relu = new ReLU();
        var ex = Assert.Throws<ShapeException>(() => relu.Backward([x], relu.Forward([x]), new Tensor(3, 2), [true], false));
        Assert.Contains("ReLU", ex.Message);
        Assert.Contains("[3×2]", ex.Message);
        Assert.Throws<ShapeException>(() => new ReLU6().Backward([x], x, new Tensor(6), [true], false));
    }
}
