using EvalHarness.Engine.Nn;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Engine.Tests.Layers;

/// <summary>
/// Layers keep packed and transformed copies of their weights between calls; a copy must never
/// outlive the values it came from, however they were changed: replaced, marked, or written in
/// place without telling anyone.
/// </summary>
public class PackedWeightsTests
{
    public static IEnumerable<object[]> Convolutions() =>
    [
        [3, 5, 1],    // im2col with packed W
        [6, 4, 0],    // pointwise with packed W
        [16, 16, 3],  // Winograd where supported
    ];

    public enum Change { InPlace, InPlaceMarked, Replaced, Loaded }

    [Theory]
    [MemberData(nameof(Convolutions))]
    public void A_convolution_never_uses_weights_it_no_longer_has(int cin, int cout, int kernel)
    {
        foreach (var change in Enum.GetValues<Change>())
        {
            var conv = new Conv2d(cin, cout, Math.Max(kernel, 1), padding: kernel / 2) { MinWinogradTiles = 1 };
            TestTensors.Fill(conv.Weight.Value, 1);
            TestTensors.Fill(conv.Bias!.Value, 2);
            var x = TestTensors.Uniform(3, [2, cin, 9, 10]);
            var y = conv.Forward([x]);
            var r = TestTensors.Uniform(4, y.ShapeArray);
            conv.Backward([x], y, r, [true], false); // builds the input-gradient copies too

            Apply(conv.Weight, change, 5);
            var y2 = conv.Forward([x]);
            var gx2 = conv.Backward([x], y2, r, [true], false)[0]!;
            var xd = TestTensors.ToDouble(x);
            var wd = TestTensors.ToDouble(conv.Weight.Value);
            var expected = Reference.Conv2d(xd, 2, cin, 9, 10, wd, TestTensors.ToDouble(conv.Bias.Value), cout,
                conv.KernelSize.H, conv.KernelSize.W, 1, 1, conv.Padding.H, conv.Padding.W, 1, 1, 1, out _, out _);
            TestTensors.AssertClose(expected, y2.Data, 1e-5, $"forward after a {change} change");
            var (egx, _, _) = Reference.Conv2dAdjoint(xd, 2, cin, 9, 10, wd, cout, conv.KernelSize.H, conv.KernelSize.W,
                1, 1, conv.Padding.H, conv.Padding.W, 1, 1, 1, TestTensors.ToDouble(r));
            TestTensors.AssertClose(egx, gx2.Data, 1e-5, $"input gradient after a {change} change");
        }
    }

    [Theory]
    [InlineData(1, true)]   // streams the weights
    [InlineData(7, true)]   // packed copy
    [InlineData(7, false)]  // too large to keep packed (cap lowered for the test): plain GEMM
    public void A_linear_layer_never_uses_weights_it_no_longer_has(int batch, bool packable)
    {
        foreach (var change in Enum.GetValues<Change>())
        {
            var linear = new Linear(40, 24) { PackMaxFloats = packable ? 1L << 24 : 100 };
            TestTensors.Fill(linear.Weight.Value, 1);
            TestTensors.Fill(linear.Bias!.Value, 2);
            var x = TestTensors.Uniform(3, [batch, 40]);
            var y = linear.Forward([x]);
            var r = TestTensors.Uniform(4, y.ShapeArray);
            linear.Backward([x], y, r, [true], false);

            Apply(linear.Weight, change, 5);
            var y2 = linear.Forward([x]);
            var gx2 = linear.Backward([x], y2, r, [true], false)[0]!;
            var wd = TestTensors.ToDouble(linear.Weight.Value);
            var expected = Reference.Linear(TestTensors.ToDouble(x), batch, 40, wd, TestTensors.ToDouble(linear.Bias.Value), 24);
            TestTensors.AssertClose(expected, y2.Data, 1e-6, $"forward after a {change} change");
            var egx = new double[batch * 40];
            for (int n = 0; n < batch; n++)
                for (int o = 0; o < 24; o++)
                    for (int i = 0; i < 40; i++)
                        egx[n * 40 + i] += r.Data[n * 24 + o] * wd[o * 40 + i];
            TestTensors.AssertClose(egx, gx2.Data, 1e-6, $"input gradient after a {change} change");
        }
    }

    [Fact]
    public void Announced_changes_move_the_version()
    {
        var p = new Parameter(new Tensor(3));
        int v0 = p.Version;
        p.MarkChanged();
        Assert.NotEqual(v0, p.Version);
        int v1 = p.Version;
        p.Load(new Tensor(3), "w");
        Assert.NotEqual(v1, p.Version);
        int v2 = p.Version;
        p.Value = new Tensor(3);
        Assert.NotEqual(v2, p.Version);
    }

    [Fact]
    public void The_fingerprint_sees_every_single_value_change()
    {
        var rng = new Random(3);
        foreach (int length in new[] { 1, 63, 64, 1000, (1 << 20) + 77, 3 << 20 })
        {
            var data = new float[length];
            for (int i = 0; i < length; i++) data[i] = (float)rng.NextDouble();
            ulong original = WeightFingerprint.Compute(data);
            Assert.Equal(original, WeightFingerprint.Compute((float[])data.Clone()));
            foreach (int at in new[] { 0, length / 2, length - 1, Math.Min(length - 1, 70) })
            {
                float saved = data[at];
                data[at] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(saved) ^ 1); // one bit
                Assert.NotEqual(original, WeightFingerprint.Compute(data));
                data[at] = saved;
            }
            if (length >= 2)
            {
                (data[0], data[length - 1]) = (data[length - 1], data[0]); // a swap keeps the multiset
                Assert.NotEqual(original, WeightFingerprint.Compute(data));
            }
        }
    }

    [Fact]
    public void A_pass_checks_each_weight_once_and_the_next_pass_checks_again()
    {
        var b = new GraphBuilder();
        var first = new Conv2d(16, 16, 3, padding: 1) { MinWinogradTiles = 1 };
        var second = new Conv2d(16, 8, 1);
        b.Add("conv1", first, GraphBuilder.Input);
        b.Add("relu", new ReLU());
        b.Add("conv2", second);
        var graph = b.Build();
        foreach (var conv in new[] { first, second })
        {
            TestTensors.Fill(conv.Weight.Value, 1);
            TestTensors.Fill(conv.Bias!.Value, 2);
        }
        var x = TestTensors.Uniform(3, [1, 16, 8, 8]);

        using (var pass = graph.Forward(x))
        {
            var stamps = new[] { first.Weight.CheckStamp, second.Weight.CheckStamp };
            Assert.All(stamps, Assert.NotNull);
            pass.Backward(TestTensors.Uniform(4, pass.Output.ShapeArray));
            // the backward pass acquired the input-gradient copies of both weights without a second fingerprint
            Assert.Same(stamps[0], first.Weight.CheckStamp);
            Assert.Same(stamps[1], second.Weight.CheckStamp);
        }

        // written in place, nobody told: the next pass fingerprints again and sees it
        first.Weight.Value.Data[5] += 0.5f;
        second.Weight.Value.Data[7] -= 0.5f;
        Tensor changed;
        using (var pass = graph.Forward(x, recordForBackward: false)) changed = pass.Output;
        var fresh = new Conv2d(16, 16, 3, padding: 1) { MinWinogradTiles = 1 };
        var freshSecond = new Conv2d(16, 8, 1);
        first.Weight.Value.Data.CopyTo(fresh.Weight.Value.Data);
        first.Bias!.Value.Data.CopyTo(fresh.Bias!.Value.Data);
        second.Weight.Value.Data.CopyTo(freshSecond.Weight.Value.Data);
        second.Bias!.Value.Data.CopyTo(freshSecond.Bias!.Value.Data);
        var expected = freshSecond.Forward([new ReLU().Forward([fresh.Forward([x])])]);
        Assert.Equal(expected.Data, changed.Data);
    }

    private static void Apply(Parameter weight, Change change, int seed)
    {
        switch (change)
        {
            case Change.InPlace:
                // one value changed, nobody told: only the fingerprint can notice
                weight.Value.Data[weight.Value.Length / 3] += 0.25f;
                break;
            case Change.InPlaceMarked:
                TestTensors.Fill(weight.Value, seed);
                weight.MarkChanged();
                break;
            case Change.Replaced:
                weight.Value = TestTensors.Uniform(seed, weight.Value.ShapeArray);
                break;
            case Change.Loaded:
                weight.Load(TestTensors.Uniform(seed, weight.Value.ShapeArray), "weight");
                break;
        }
    }
}
