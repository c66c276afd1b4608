using EvalHarness.Engine;

namespace EvalHarness.Models.Tests;

public class DeterministicInitTests
{
    // Golden values from a separate numpy implementation of the eh-init-v1 specification (uint64 array
    // arithmetic, float64 values cast with astype(float32)): float32 bit patterns of the first and last value.
    // The full state dicts of resnet18 (seed 7), mobilenet_v2 (seed 0) and vgg11_bn (seed 123456789) from
    // that implementation were also checked equal to Apply bit for bit.
    [Theory]
    [InlineData("features.0.weight", new[] { 64, 3, 3, 3 }, 0UL, 0x3eabbb0aU, 0x3dc71cbcU)]
    [InlineData("features.0.bias", new[] { 64 }, 0UL, 0xbd151b00U, 0x3d8791baU)]
    [InlineData("layer1.0.bn1.weight", new[] { 64 }, 0UL, 0x3f20c2a3U, 0x3f7cc98cU)]
    [InlineData("layer1.0.bn1.running_mean", new[] { 64 }, 0UL, 0xbdb7d608U, 0x3c232a8dU)]
    [InlineData("layer1.0.bn1.running_var", new[] { 64 }, 0UL, 0x3f92b806U, 0x3fb428b4U)]
    [InlineData("fc.weight", new[] { 1000, 2048 }, 0UL, 0xbad9dc41U, 0x3d3f4a04U)]
    [InlineData("features.0.weight", new[] { 64, 3, 3, 3 }, 7UL, 0xbd7550a1U, 0xbdf970e6U)]
    [InlineData("features.0.bias", new[] { 64 }, 7UL, 0x3d0bc1d6U, 0x3c998933U)]
    [InlineData("layer1.0.bn1.weight", new[] { 64 }, 7UL, 0x3fb12b03U, 0x3f99523aU)]
    [InlineData("layer1.0.bn1.running_mean", new[] { 64 }, 7UL, 0xbda107cbU, 0xbd6374e3U)]
    [InlineData("layer1.0.bn1.running_var", new[] { 64 }, 7UL, 0x3f3b6e4aU, 0x3f8c5730U)]
    [InlineData("fc.weight", new[] { 1000, 2048 }, 7UL, 0xbc836780U, 0x3bd559c9U)]
    public void Matches_the_numpy_reference(string name, int[] shape, ulong seed, uint first, uint last)
    {
        var t = DeterministicInit.Create(name, shape, seed);
        Assert.Equal(first, BitConverter.SingleToUInt32Bits(t.Data[0]));
        Assert.Equal(last, BitConverter.SingleToUInt32Bits(t.Data[^1]));
    }

    // Also from the numpy reference: first, last and flat index 500 % n. A length of 1000 ends with a
    // remainder that the vectorised loop leaves to the scalar one.
    [Theory]
    [InlineData("fc.bias", new[] { 1000 }, 0UL, 0xbb9276e6U, 0xbd09b40dU, 0x3da3a733U)]
    [InlineData("fc.bias", new[] { 1000 }, 7UL, 0xbc5444c0U, 0xbd8f1733U, 0xbda9a83aU)]
    [InlineData("features.1.conv.0.0.weight", new[] { 32, 1, 3, 3 }, 0UL, 0x3dcc23ddU, 0xbeddbfaaU, 0x3f1f388dU)]
    [InlineData("features.1.conv.0.0.weight", new[] { 32, 1, 3, 3 }, 7UL, 0x3d6c80a6U, 0x3f03682dU, 0xbeafef85U)]
    public void Matches_the_numpy_reference_inside_and_at_the_tail(string name, int[] shape, ulong seed, uint first, uint last, uint at500)
    {
        var t = DeterministicInit.Create(name, shape, seed);
        Assert.Equal(first, BitConverter.SingleToUInt32Bits(t.Data[0]));
        Assert.Equal(last, BitConverter.SingleToUInt32Bits(t.Data[^1]));
        Assert.Equal(at500, BitConverter.SingleToUInt32Bits(t.Data[500 % t.Length]));
    }

    [Fact]
    public void First_value_follows_the_specification_step_by_step()
    {
        // Independent of the implementation's loop: FNV-1a of "fc.bias", seed 3, index 0.
        ulong h = 0xcbf29ce484222325;
        foreach (char c in "fc.bias") { h ^= c; h *= 0x100000001b3; }
        ulong key = h ^ unchecked(3UL * 0x9E3779B97F4A7C15);
        ulong z = unchecked(key + 0x9E3779B97F4A7C15);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EB);
        z ^= z >> 31;
        double u = (z >> 40) / 16777216.0;
        Assert.Equal((float)((2 * u - 1) * 0.1), DeterministicInit.Create("fc.bias", [10], 3).Data[0]);
    }

    [Fact]
    public void Apply_fills_every_entry_like_the_per_entry_function()
    {
        var graph = ModelZoo.Create("resnet18");
        DeterministicInit.Apply(graph, 11);
        foreach (var (name, p) in graph.StateDict())
        {
            var expected = DeterministicInit.Create(name, p.Value.ShapeArray, 11);
            Assert.True(expected.Data.AsSpan().SequenceEqual(p.Value.Data), name);
        }
        // fc.weight spans several parallel chunks; a second Apply reproduces it exactly.
        var again = ModelZoo.Create("resnet18");
        DeterministicInit.Apply(again, 11);
        Assert.True(graph.StateDict()["fc.weight"].Value.Data.AsSpan().SequenceEqual(again.StateDict()["fc.weight"].Value.Data));
    }

    [Fact]
    public void Values_lie_in_the_specified_ranges_and_depend_on_seed_and_name()
    {
        var w = DeterministicInit.Create("layer1.0.conv1.weight", [64, 64, 3, 3], 0);
        float bound = (float)Math.Sqrt(6.0 / (64 * 9));
        Assert.All(w.Data, v => Assert.InRange(v, -bound, bound));
        Assert.InRange(w.Data.Average(), -0.01, 0.01);
        Assert.All(DeterministicInit.Create("bn.running_var", [256], 0).Data, v => Assert.InRange(v, 0.5f, 1.5f));
        Assert.All(DeterministicInit.Create("bn.weight", [256], 0).Data, v => Assert.InRange(v, 0.5f, 1.5f));
        Assert.All(DeterministicInit.Create("bn.running_mean", [256], 0).Data, v => Assert.InRange(v, -0.1f, 0.1f));
        Assert.All(DeterministicInit.Create("fc.bias", [256], 0).Data, v => Assert.InRange(v, -0.1f, 0.1f));

        var a = DeterministicInit.Create("fc.bias", [100], 1).Data;
        Assert.Equal(a, DeterministicInit.Create("fc.bias", [100], 1).Data);
        Assert.NotEqual(a, DeterministicInit.Create("fc.bias", [100], 2).Data);
        Assert.NotEqual(a, DeterministicInit.Create("fd.bias", [100], 1).Data);
        // A value depends on its flat index, not on the shape it is part of (beyond fan-in).
        Assert.Equal(DeterministicInit.Create("fc.bias", [10], 1).Data, a[..10]);
    }

    [Fact]
    public void Entries_without_a_rule_are_rejected()
    {
        var ex = Assert.Throws<EvalHarnessException>(() => DeterministicInit.Create("scale", [4], 0));
        Assert.Contains("'scale'", ex.Message);
        Assert.Contains(DeterministicInit.Version, ex.Message);
    }
}
