namespace EvalHarness.Metrics.Faithfulness;

/// <summary>Pixel rankings by saliency.</summary>
public static class SaliencyOrder
{
    /// <summary>
    /// Pixel indices by saliency, descending, ties in ascending index order (a stable order; RISE's
    /// np.flip(np.argsort(..)) leaves ties to the sort). −0 and +0 tie. The map must be finite.
    /// </summary>
    public static int[] Descending(ReadOnlySpan<float> map)
    {
        // One 64-bit key per pixel: the high word orders values descending, the low word is the index.
        var keys = new ulong[map.Length];
        for (int i = 0; i < map.Length; i++)
        {
            uint bits = BitConverter.SingleToUInt32Bits(map[i] + 0f); // -0 + 0 = +0
            uint ascending = (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
            keys[i] = ((ulong)~ascending << 32) | (uint)i;
        }
        Array.Sort(keys);
        var order = new int[map.Length];
        for (int i = 0; i < order.Length; i++) order[i] = (int)(uint)keys[i];
        return order;
    }
}
