using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace EvalHarness.Engine.Io;

/// <summary>
/// Writes float32 tensors as a safetensors file (huggingface/safetensors format: an 8-byte little-endian
/// header length, a JSON header of name → {dtype, shape, data_offsets} plus "__metadata__", padded with
/// spaces to a multiple of 8, then the raw little-endian data). Only F32; the file appears atomically.
/// </summary>
internal static class SafeTensorsF32Writer
{
    public static void Write(string path, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Writing safetensors needs a little-endian machine.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _) in tensors)
        {
            if (name.Length == 0 || name == "__metadata__" || !seen.Add(name))
                throw new ArgumentException($"Tensor name '{name}' is empty, reserved or repeated; safetensors names must be unique.", nameof(tensors));
        }

        var header = Header(tensors, metadata);
        int padded = (header.Length + 7) / 8 * 8;
        string temp = path + ".tmp";
        try
        {
            using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
                f.Write(length);
                f.Write(header);
                for (int i = header.Length; i < padded; i++) f.WriteByte((byte)' ');
                foreach (var (_, t) in tensors) f.Write(MemoryMarshal.AsBytes(t.Data.AsSpan()));
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private static byte[] Header(IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, t) in tensors)
            {
                long bytes = (long)t.Length * sizeof(float);
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
