using EvalHarness.Tests.Common;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using EvalHarness.Engine;
using EvalHarness.Engine.Io;

namespace EvalHarness.Models.Tests;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string TempPath(string name) => Path.Combine(_dir, name);

    /// <summary>Writes a file byte by byte: length prefix (the true header length unless overridden), header, data.</summary>
    private string WriteRaw(string name, string header, byte[]? data = null, ulong? declaredLength = null)
    {
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + headerBytes.Length + (data?.Length ?? 0)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)headerBytes.Length);
        headerBytes.CopyTo(bytes, 8);
        data?.CopyTo(bytes, 8 + headerBytes.Length);
        string path = TempPath(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Reads_every_dtype_as_numpy_and_torch_convert_it()
    {
        // Written by tests/fixtures/gen_safetensors.py with its own writer; the expected float32 bits come from numpy/torch.
        string path = TestPaths.Fixture("safetensors", "dtypes.safetensors");
        using var expectedDoc = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Fixture("safetensors", "dtypes_expected.json")));
        var expected = expectedDoc.RootElement;

        using var file = SafeTensors.Open(path);
        Assert.Equal(expected.GetProperty("header_order").EnumerateArray().Select(e => e.GetString()), file.Names);
        Assert.Equal(expected.GetProperty("metadata").EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetString()!)).OrderBy(p => p.Key),
            file.Metadata.OrderBy(p => p.Key));
        Assert.Equal("unicode ü✓ and \"quotes\"", file.Metadata["note"]);
        foreach (var t in expected.GetProperty("tensors").EnumerateObject())
        {
            var entry = file.Entry(t.Name);
            Assert.Equal(t.Value.GetProperty("dtype").GetString(), entry.DType.ToString());
            Assert.Equal(TorchvisionReference.Ints(t.Value.GetProperty("shape")), entry.ShapeArray);
            var tensor = file.Read(t.Name);
            var bits = t.Value.GetProperty("float32_bits").EnumerateArray().Select(b => b.GetUInt32()).ToArray();
            Assert.Equal(bits, tensor.Data.Select(BitConverter.SingleToUInt32Bits).ToArray());
        }
        // Spot checks of the conversions the fixture covers.
        Assert.Equal(65504f, file.Read("w.f16").Data[2]);
        Assert.True(float.IsPositiveInfinity(file.Read("w.f64").Data[2]));
        Assert.Equal(16777216f, file.Read("w.f64").Data[5]);
        Assert.Equal(7f, file.Read("scalar").Data.Single());
        Assert.Empty(file.Read("empty").Data);

        var all = SafeTensors.Load(path, out var metadata);
        Assert.Equal(file.Names, all.Keys);
        Assert.Equal("pt", metadata["format"]);
    }

    [Fact]
    public void Round_trips_f32_tensors_and_metadata()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["conv.weight"] = DeterministicInit.Create("conv.weight", [4, 3, 3, 3], 5),
            ["special"] = Tensor.FromArray([float.NaN, float.NegativeInfinity, -0f, float.Epsilon, float.MaxValue, BitConverter.UInt32BitsToSingle(0x7fc00123)], 6),
            ["empty"] = new Tensor(0, 5),
            ["scalar"] = Tensor.FromArray([3.5f]),
        };
        var metadata = new Dictionary<string, string> { ["arch"] = "resnet18", ["note"] = "naïve \"quoted\"\n" };
        string path = TempPath("round.safetensors");
        SafeTensors.Save(path, tensors, metadata);

        var back = SafeTensors.Load(path, out var meta);
        Assert.Equal(tensors.Keys, back.Keys);
        foreach (var (name, t) in tensors)
        {
            Assert.Equal(t.ShapeArray, back[name].ShapeArray);
            Assert.Equal(t.Data.Select(BitConverter.SingleToUInt32Bits), back[name].Data.Select(BitConverter.SingleToUInt32Bits));
        }
        Assert.Equal(metadata.OrderBy(p => p.Key), meta.OrderBy(p => p.Key));
        Assert.False(File.Exists(path + ".partial"));

        // The layout, read independently: the header is JSON padded with spaces to a multiple of 8, data follows in order.
        var bytes = File.ReadAllBytes(path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        var w = header.RootElement.GetProperty("conv.weight");
        Assert.Equal("F32", w.GetProperty("dtype").GetString());
        Assert.Equal([4, 3, 3, 3], TorchvisionReference.Ints(w.GetProperty("shape")));
        Assert.Equal([0, 432], TorchvisionReference.Ints(w.GetProperty("data_offsets")));
        Assert.Equal("resnet18", header.RootElement.GetProperty("__metadata__").GetProperty("arch").GetString());
        Assert.Equal(tensors["conv.weight"].Data[1], BitConverter.ToSingle(bytes, 8 + (int)headerLength + 4));
        Assert.Equal(8 + headerLength + 4 * (108 + 6 + 0 + 1), bytes.Length);
    }

    [Fact]
    public void Save_replaces_an_existing_file_and_rejects_bad_names()
    {
        string path = TempPath("replace.safetensors");
        SafeTensors.Save(path, [KeyValuePair.Create("a", Tensor.Full(1f, 3))]);
        SafeTensors.Save(path, [KeyValuePair.Create("b", Tensor.Full(2f, 2))]);
        Assert.Equal(["b"], SafeTensors.Load(path).Keys);
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [KeyValuePair.Create("__metadata__", new Tensor(1))]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [KeyValuePair.Create("", new Tensor(1))]));
    }

    public static TheoryData<string, string, byte[], string> CorruptHeaders() => new()
    {
        { "bad-json", "{\"a\": {\"dtype\": \"F32\", ", [], "not valid JSON" },
        { "not-object", "[1, 2]", [], "does not start with '{'" },
        { "unknown-dtype", "{\"a\":{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4], "unknown dtype \"F128\"; known dtypes: F64, F32" },
        { "lowercase-dtype", "{\"a\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4], "unknown dtype \"f32\"" },
        { "size-mismatch", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", new byte[20], "needs 24 bytes, but its data_offsets [0, 20] span 20 bytes" },
        { "f16-size-mismatch", "{\"a\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,12]}}", new byte[12], "F16 with shape [3], which needs 6 bytes" },
        { "overlap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12], "tensors 'a' [0, 8) and 'b' [4, 12) overlap" },
        { "out-of-range", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8], "beyond the 8-byte data section" },
        { "end-before-begin", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", new byte[8], "the end lies before the beginning" },
        { "gap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8], "bytes [0, 4) of the data section belong to no tensor" },
        { "trailing", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[12], "8 trailing bytes" },
        { "negative-dim", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4], "dimensions must be non-negative integers" },
        { "fraction-offset", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.5]}}", new byte[4], "offsets must be non-negative integers" },
        { "no-offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4], "no \"data_offsets\" array" },
        { "no-dtype", "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4], "no \"dtype\" string" },
        { "entry-not-object", "{\"a\":[1,2,3]}", [], "tensor 'a' is described by a JSON Array" },
        { "metadata-not-string", "{\"__metadata__\":{\"epoch\":3}}", [], "metadata values must be strings" },
        { "duplicate", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", [], "lists 'a' twice" },
    };

    [Theory]
    [MemberData(nameof(CorruptHeaders))]
    public void Corrupt_headers_name_the_problem(string name, string header, byte[] data, string problem)
    {
        string path = WriteRaw(name + ".safetensors", header, data);
        var ex = Assert.Throws<FileFormatException>(() => SafeTensors.Open(path));
        Assert.Equal(path, ex.Path);
        Assert.StartsWith(path + ": ", ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public void Short_and_truncated_files_are_reported()
    {
        string tiny = TempPath("tiny.safetensors");
        File.WriteAllBytes(tiny, [1, 2, 3]);
        Assert.Contains("3 bytes long; a safetensors file starts with an 8-byte header length",
            Assert.Throws<FileFormatException>(() => SafeTensors.Open(tiny)).Message);

        string huge = WriteRaw("huge.safetensors", "{}", declaredLength: 1UL << 40);
        Assert.Contains("the header length field says 1099511627776 bytes, but only 2 bytes follow it",
            Assert.Throws<FileFormatException>(() => SafeTensors.Open(huge)).Message);

        // A valid file cut short: the header now points past the end of the data.
        string full = TempPath("full.safetensors");
        SafeTensors.Save(full, [KeyValuePair.Create("w", Tensor.Full(1f, 100))]);
        var bytes = File.ReadAllBytes(full);
        string cut = TempPath("cut.safetensors");
        File.WriteAllBytes(cut, bytes[..^10]);
        var ex = Assert.Throws<FileFormatException>(() => SafeTensors.Load(cut));
        Assert.Contains("tensor 'w' has data_offsets [0, 400], beyond the 390-byte data section", ex.Message);

        string missing = TempPath("missing.safetensors");
        Assert.Contains("does not exist", Assert.Throws<FileFormatException>(() => SafeTensors.Open(missing)).Message);
    }

    [Fact]
    public void Unknown_tensor_names_and_unreadable_dtypes_are_reported_on_read()
    {
        string path = WriteRaw("f8.safetensors", "{\"q\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", [1, 2]);
        using var file = SafeTensors.Open(path);
        Assert.Equal(SafeTensorsDType.F8_E4M3, file.Entry("q").DType);
        Assert.Contains("cannot be read as float32", Assert.Throws<FileFormatException>(() => file.Read("q")).Message);
        Assert.Contains("Did you mean: q", Assert.Throws<UnknownNameException>(() => file.Read("qq")).Message);
    }

    [Fact]
    public void Reads_large_tensors_in_chunks()
    {
        // More than the 1 MiB streaming chunk, for F32 (direct) and F16 (converted) paths.
        int n = (1 << 19) + 123;
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = (i % 2048) - 1024;
        var halves = values.Select(v => (Half)v).ToArray();
        var f16 = new byte[2 * n];
        for (int i = 0; i < n; i++) BinaryPrimitives.WriteHalfLittleEndian(f16.AsSpan(2 * i), halves[i]);
        var f32 = new byte[4 * n];
        for (int i = 0; i < n; i++) BinaryPrimitives.WriteSingleLittleEndian(f32.AsSpan(4 * i), values[i]);
        string header = $"{{\"h\":{{\"dtype\":\"F16\",\"shape\":[{n}],\"data_offsets\":[0,{2 * n}]}},\"f\":{{\"dtype\":\"F32\",\"shape\":[{n}],\"data_offsets\":[{2 * n},{6 * n}]}}}}";
        string path = WriteRaw("large.safetensors", header, [.. f16, .. f32]);
        var loaded = SafeTensors.Load(path);
        Assert.Equal(values, loaded["h"].Data);
        Assert.Equal(values, loaded["f"].Data);
    }
}
