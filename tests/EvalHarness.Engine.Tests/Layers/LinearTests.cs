using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Engine.Tests.Layers;

public class LinearTests
{
    [Theory]
    [InlineData(3, 7, 5, true)]
    [InlineData(1, 1, 1, false)]
    [InlineData(4, 13, 2, true)]
    public void Forward_and_gradients_match_the_definition(int n, int inFeatures, int outFeatures, bool bias)
    {
        var linear = new Linear(inFeatures, outFeatures, bias);
        TestTensors.Fill(linear.Weight.Value, 2);
        if (linear.Bias != null) TestTensors.Fill(linear.Bias.Value, 3);
        var x = TestTensors.Uniform(4, [n, inFeatures]);
        GradCheck.Check(linear, [x], a => Reference.Linear(a[0], n, inFeatures, a[1], bias ? a[2] : null, outFeatures));
    }

    [Fact]
    public void Hand_derived_value()
    {
        var linear = new Linear(2, 1);
        linear.Weight.Value.Data[0] = 2f;
        linear.Weight.Value.Data[1] = -1f;
        linear.Bias!.Value.Data[0] = 0.5f;
        var x = Tensor.FromArray([3f, 4f], 1, 2);
        var y = linear.Forward([x]);
        Assert.Equal([2.5f], y.Data);
        var gx = linear.Backward([x], y, Tensor.FromArray([2f], 1, 1), [true], true)[0]!;
        Assert.Equal([4f, -2f], gx.Data);
        Assert.Equal([6f, 8f], linear.Weight.Grad!.Data);
        Assert.Equal([2f], linear.Bias.Grad!.Data);
    }

    [Fact]
    public void Wrong_features_name_the_layer_and_shape()
    {
        var ex = Assert.Throws<ShapeException>(() => new Linear(4, 2).Forward([new Tensor(1, 5)]));
        Assert.Contains("Linear(4, 2)", ex.Message);
        Assert.Contains("got 5", ex.Message);
        Assert.Contains("[1×5]", ex.Message);
        ex = Assert.Throws<ShapeException>(() => new Linear(4, 2).Forward([new Tensor(1, 4, 1, 1)]));
        Assert.Contains("[1×4×1×1]", ex.Message);
    }
}
