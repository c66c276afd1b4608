using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace EvalHarness.Engine.Io;

/// <summary>
/// CRC-32 as zip uses it (ISO-HDLC: reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF),
/// computed with slicing-by-8 tables (Kounavis and Berry, "A Systematic Approach to Building High
/// Performance Software-Based CRC Generators", 2005).
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues <paramref name="crc"/> (a finished CRC of the preceding bytes) over <paramref name="data"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var t = Table.AsSpan();
        uint c = ~crc;
        while (data.Length >= 8)
        {
            uint lo = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ c;
            uint hi = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            c = t[7 * 256 + (int)(lo & 0xFF)] ^ t[6 * 256 + (int)((lo >> 8) & 0xFF)]
              ^ t[5 * 256 + (int)((lo >> 16) & 0xFF)] ^ t[4 * 256 + (int)(lo >> 24)]
              ^ t[3 * 256 + (int)(hi & 0xFF)] ^ t[2 * 256 + (int)((hi >> 8) & 0xFF)]
              ^ t[1 * 256 + (int)((hi >> 16) & 0xFF)] ^ t[(int)(hi >> 24)];
            data = data[8..];
        }
        foreach (byte b in data) c = t[(int)((c ^ b) & 0xFF)] ^ (c >> 8);
        return ~c;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        for (int s = 1; s < 8; s++)
            for (int i = 0; i < 256; i++)
                table[s * 256 + i] = (table[(s - 1) * 256 + i] >> 8) ^ table[table[(s - 1) * 256 + i] & 0xFF];
        return table;
    }
}
