using EvalHarness.Engine;

namespace EvalHarness.Engine.Tests;

/// <summary>The buffer pool hands a buffer back out only after it was given back, and takes back only its own.</summary>
[Collection(nameof(TensorBuffersState))]
public sealed class TensorBuffersTests
{
    private const int Large = TensorBuffers.MinPooledLength + 123;

    [SkippableFact]
    public void A_returned_buffer_is_handed_out_again_and_only_then()
    {
        Skip.IfNot(TensorBuffers.Enabled, "EVALHARNESS_TENSOR_POOL=0 turns recycling off");
        TensorBuffers.Trim();
        var a = TensorBuffers.RentUninitialized(Large);
        var b = TensorBuffers.RentUninitialized(Large);
        Assert.NotSame(a, b);
        Assert.Equal(Large, a.Length);
        TensorBuffers.Return(a);
        Assert.Equal(Large, TensorBuffers.FreeFloats);
        Assert.Same(a, TensorBuffers.RentUninitialized(Large));
        Assert.Equal(0, TensorBuffers.FreeFloats);
        Assert.NotSame(a, TensorBuffers.RentUninitialized(Large)); // a is out again: never handed out twice

        // Zeroed rents are zero even when the buffer comes back dirty.
        a.AsSpan().Fill(7f);
        TensorBuffers.Return(a);
        var z = TensorBuffers.RentZeroed(Large);
        Assert.Same(a, z);
        Assert.All(z, v => Assert.Equal(0f, v));
        TensorBuffers.Return(b);
        TensorBuffers.Trim();
    }

    [SkippableFact]
    public void Foreign_small_and_doubly_returned_buffers()
    {
        Skip.IfNot(TensorBuffers.Enabled, "EVALHARNESS_TENSOR_POOL=0 turns recycling off");
        TensorBuffers.Trim();
        var foreign = new float[Large];
        TensorBuffers.Return(foreign); // not handed out here: left to the GC
        Assert.Equal(0, TensorBuffers.FreeFloats);
        Assert.NotSame(foreign, TensorBuffers.RentUninitialized(Large));

        var small = TensorBuffers.RentUninitialized(100);
        TensorBuffers.Return(small);
        Assert.Equal(0, TensorBuffers.FreeFloats);

        var mine = TensorBuffers.RentUninitialized(Large);
        TensorBuffers.Return(mine);
        Assert.Throws<InvalidOperationException>(() => TensorBuffers.Return(mine));
        TensorBuffers.Trim();
    }

    [SkippableFact]
    public void A_full_pool_drops_the_length_used_longest_ago_to_take_a_buffer_of_another()
    {
        Skip.IfNot(TensorBuffers.Enabled, "EVALHARNESS_TENSOR_POOL=0 turns recycling off");
        const int old = TensorBuffers.MinPooledLength, mid = old + 16, fresh = old + 32;
        long capacity = TensorBuffers.CapacityFloats;
        TensorBuffers.Trim();
        try
        {
            TensorBuffers.CapacityFloats = 2L * old + mid + 1000;
            var (o1, o2, m) = (TensorBuffers.RentUninitialized(old), TensorBuffers.RentUninitialized(old), TensorBuffers.RentUninitialized(mid));
            var f = TensorBuffers.RentUninitialized(fresh);
            TensorBuffers.Return(o1);
            TensorBuffers.Return(o2);
            TensorBuffers.Return(m);                     // the pool is now full: old, old, mid
            Assert.Equal(2L * old + mid, TensorBuffers.FreeFloats);
            TensorBuffers.Return(f);                     // evicts both of 'old' (used longest ago), not 'mid'
            Assert.Equal((long)mid + fresh, TensorBuffers.FreeFloats);
            Assert.Same(f, TensorBuffers.RentUninitialized(fresh));
            Assert.Same(m, TensorBuffers.RentUninitialized(mid));
            Assert.NotSame(o1, TensorBuffers.RentUninitialized(old));

            // A buffer larger than the whole capacity is left to the GC, and evicts nothing for it.
            TensorBuffers.Return(m);
            TensorBuffers.CapacityFloats = mid;
            TensorBuffers.Return(f);
            Assert.Equal(mid, TensorBuffers.FreeFloats);
        }
        finally
        {
            TensorBuffers.CapacityFloats = capacity;
            TensorBuffers.Trim();
        }
    }

    [Fact]
    public void Tensors_take_large_buffers_from_the_pool()
    {
        var t = new Tensor(1, TensorBuffers.MinPooledLength);
        Assert.All(t.Data, v => Assert.Equal(0f, v));
        var u = Tensor.Uninitialized(1, TensorBuffers.MinPooledLength);
        Assert.Equal(TensorBuffers.MinPooledLength, u.Length);
    }
}

[CollectionDefinition(nameof(TensorBuffersState), DisableParallelization = true)]
public sealed class TensorBuffersState;
