using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json;
using EvalHarness.Engine.Io;

namespace EvalHarness.Engine.Tests.Io;

public class PyTorchCheckpointTests
{
    private static readonly string[] ConvNetFloatNames =
    [
        "conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
        "conv2.weight", "fc.weight", "fc.bias",
    ];

    /// <summary>Bit-exact comparison (so -0, NaN and subnormals count) with the PyTorch-written .npy.</summary>
    private static void AssertMatches(string fixture, string expectedName, Tensor actual)
    {
        var expected = EvalHarness.Engine.Io.Npy.Read(PthFixtures.Expected(fixture, expectedName));
        Assert.Equal(expected.Shape, actual.ShapeArray);
        var values = (float[])expected.Data;
        Assert.Equal(values.Length, actual.Length);
        for (int i = 0; i < values.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(values[i]) != BitConverter.SingleToInt32Bits(actual.Data[i]))
                Assert.Fail($"{expectedName}[{i}]: expected {values[i]:R}, got {actual.Data[i]:R}");
        }
    }

    private static void AssertMatches(string fixture, string expectedName, PyTorchIntegerTensor actual)
    {
        var expected = EvalHarness.Engine.Io.Npy.Read(PthFixtures.Expected(fixture, expectedName));
        Assert.Equal(expected.Shape, actual.Shape.ToArray());
        Assert.Equal((long[])expected.Data, actual.Values);
    }

    private static void AssertConvNet(PyTorchCheckpoint c, string fixture)
    {
        Assert.Equal(ConvNetFloatNames, c.Names);
        foreach (var name in c.Names) AssertMatches(fixture, name, c[name]);
        Assert.Equal(["bn1.num_batches_tracked"], c.IntegerTensors.Keys);
        AssertMatches(fixture, "bn1.num_batches_tracked", c.IntegerTensors["bn1.num_batches_tracked"]);
        Assert.Equal("int64", c.IntegerTensors["bn1.num_batches_tracked"].DType);
    }

    private static FileFormatException Refused(string fixture)
    {
        string path = PthFixtures.File(fixture);
        var e = Assert.Throws<FileFormatException>(() => PyTorchCheckpoint.Load(path));
        Assert.Equal(path, e.Path);
        Assert.StartsWith(path + ": ", e.Message);
        return e;
    }

    [Fact]
    public void A_conv_net_state_dict_loads_in_file_order_with_exact_values()
    {
        var c = PyTorchCheckpoint.Load(PthFixtures.File("convnet.pth"));
        AssertConvNet(c, "convnet");
        Assert.False(c.IsLegacyFormat);
        Assert.Null(c.NestedKey);
        Assert.False(c.StrippedDataParallelPrefix);
        Assert.Equal([4, 3, 3, 3], c["conv1.weight"].ShapeArray);
        Assert.Equal(1L, c.IntegerTensors["bn1.num_batches_tracked"].Values.Single());
        Assert.All(c.Names, n => Assert.Equal("float32", c.SourceDType(n)));
    }

    [Fact]
    public void Half_bfloat16_and_double_tensors_become_float32_exactly_as_torch_converts_them()
    {
        var c = PyTorchCheckpoint.Load(PthFixtures.File("dtypes.pth"));
        Assert.Equal(["half", "bfloat", "double", "param", "scalar", "empty"], c.Names);
        foreach (var name in c.Names) AssertMatches("dtypes", name, c[name]);
        Assert.Equal("float16", c.SourceDType("half"));
        Assert.Equal("bfloat16", c.SourceDType("bfloat"));
        Assert.Equal("float64", c.SourceDType("double"));
        Assert.Equal("float32", c.SourceDType("param"));

        // Hand-checked values: -0 keeps its sign, float16's subnormal 6e-8 is 2^-24, ±inf survive,
        // float64 rounds to nearest (16777217 → 16777216, 1e300 → inf, 1e-300 → 0).
        Assert.Equal(int.MinValue, BitConverter.SingleToInt32Bits(c["half"].Data[1]));
        Assert.Equal(MathF.Pow(2, -24), c["half"].Data[5]);
        Assert.Equal(65504f, c["half"].Data[4]);
        Assert.Equal(float.NegativeInfinity, c["bfloat"].Data[7]);
        Assert.Equal([0.1f, 1f / 3f, 0f, float.PositiveInfinity, -2.5f, 16777216f], c["double"].Data);
        Assert.Empty(c["scalar"].ShapeArray);
        Assert.Equal(7.25f, c["scalar"].Data.Single());
        Assert.Equal([0, 3], c["empty"].ShapeArray);

        Assert.Equal(["int32", "uint8", "mask"], c.IntegerTensors.Keys);
        foreach (var (name, t) in c.IntegerTensors) AssertMatches("dtypes", name, t);
        Assert.Equal([int.MinValue, int.MaxValue, 0L, -1L], c.IntegerTensors["int32"].Values);
        Assert.Equal([0L, 1L, 255L], c.IntegerTensors["uint8"].Values);
        Assert.Equal("bool", c.IntegerTensors["mask"].DType);
        Assert.Equal([1L, 0L, 1L], c.IntegerTensors["mask"].Values);
    }

    [Fact]
    public void Views_sharing_a_storage_with_offsets_and_general_strides_are_copied_row_major()
    {
        var c = PyTorchCheckpoint.Load(PthFixtures.File("strided.pth"));
        Assert.Equal(["base", "transposed", "columns", "row", "corner", "expanded", "permuted", "half_view"], c.Names);
        foreach (var name in c.Names) AssertMatches("strided", name, c[name]);
        // Independent of the fixture values: the transpose is the base with indices swapped.
        var b = c["base"];
        var t = c["transposed"];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 6; j++)
                Assert.Equal(b[i, j], t[j, i]);
        Assert.NotSame(b.Data, t.Data);
    }

    [Fact]
    public void A_training_checkpoint_is_unwrapped_from_its_state_dict_key()
    {
        var c = PyTorchCheckpoint.Load(PthFixtures.File("nested.pth"));
        Assert.Equal("state_dict", c.NestedKey);
        AssertConvNet(c, "nested");
    }

    [Fact]
    public void The_DataParallel_module_prefix_is_stripped()
    {
        var c = PyTorchCheckpoint.Load(PthFixtures.File("dataparallel.pth"));
        Assert.True(c.StrippedDataParallelPrefix);
        AssertConvNet(c, "nested");
    }

    [Fact]
    public void The_legacy_pre_1_6_format_loads_too()
    {
        var c = PyTorchCheckpoint.Load(PthFixtures.File("legacy.pth"));
        Assert.True(c.IsLegacyFormat);
        AssertConvNet(c, "convnet");
    }

    [Fact]
    public void Big_endian_storages_announced_by_a_byteorder_record_are_swapped()
    {
        var c = PyTorchCheckpoint.Load(PthFixtures.File("bigendian.pth"));
        AssertConvNet(c, "convnet");
    }

    [Fact]
    public void The_module_prefix_stays_when_only_some_names_have_it()
    {
        var c = PyTorchCheckpoint.Load(PthFixtures.File("partial_prefix.pth"));
        Assert.False(c.StrippedDataParallelPrefix);
        Assert.Equal(["module.a", "b"], c.Names);
        Assert.Equal([1f], c["module.a"].Data);
        Assert.Equal([0f], c["b"].Data);
    }

    [Fact]
    public void A_dict_that_is_not_a_state_dict_is_explained()
    {
        var e = Refused("not_a_state_dict.pth");
        Assert.Contains("the checkpoint is a dict but not a state dict: key 'epoch' holds the int 3 rather than a tensor", e.Message);
        Assert.Contains("'state_dict'", e.Message);
        Assert.Contains("its keys: 'epoch', 'weights'", e.Message);
    }

    [Fact]
    public void A_tiny_file_cannot_demand_a_huge_expanded_tensor()
    {
        var e = Refused("huge_expand.pth");
        Assert.Contains("tensor 'huge' (size (33554432), stride (0), offset 0) repeats the 1 elements of its storage into 33554432", e.Message);
    }

    [Fact]
    public void A_flipped_storage_byte_fails_the_crc_check()
    {
        var e = Refused("crc_mismatch.pth");
        Assert.Contains("record 'convnet/data/0' fails its CRC-32 check", e.Message);
    }

    [Fact]
    public void A_checkpoint_that_calls_os_system_is_refused_without_running_anything()
    {
        var e = Refused("malicious_system.pth");
        Assert.Contains("'os.system'", e.Message);
        Assert.Contains("code objects EvalHarness will not execute", e.Message);
        Assert.Contains("torch.save(model.state_dict(), path)", e.Message);
        Assert.Contains("safetensors", e.Message);
    }

    [Fact]
    public void A_checkpoint_that_calls_builtins_eval_through_stack_global_is_refused()
    {
        var e = Refused("malicious_eval.pth");
        Assert.Contains("'builtins.eval'", e.Message);
        Assert.Contains("code objects EvalHarness will not execute", e.Message);
    }

    [Fact]
    public void A_pickled_whole_model_is_refused_naming_its_class()
    {
        var e = Refused("full_model.pth");
        Assert.Contains("'__main__.TinyConvNet'", e.Message);
        Assert.Contains("torch.save(model.state_dict(), path)", e.Message);
    }

    [Fact]
    public void A_truncated_file_is_reported_as_truncated()
    {
        var e = Refused("truncated.pth");
        Assert.Contains("truncated or corrupt", e.Message);
    }

    [Fact]
    public void A_zip_with_a_corrupt_directory_is_reported()
    {
        var e = Refused("corrupt_zip.pth");
        Assert.Contains("zip", e.Message);
        Assert.Contains("truncated or corrupt", e.Message);
    }

    [Fact]
    public void A_pickle_cut_short_is_reported_with_its_record_and_offset()
    {
        var e = Refused("truncated_pickle.pth");
        Assert.Contains("record 'convnet/data.pkl' is not a valid pickle", e.Message);
        Assert.Contains("at byte", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void A_storage_shorter_than_its_tensor_is_reported()
    {
        var e = Refused("short_storage.pth");
        Assert.Contains("record 'convnet/data/0' holds 424 bytes but storage '0' (float32, 108 elements) needs 432", e.Message);
    }

    [Fact]
    public void Files_that_are_not_checkpoints_are_reported()
    {
        Assert.Contains("not a PyTorch checkpoint", Refused("not_a_checkpoint.pth").Message);

        string missing = Path.Combine(Path.GetTempPath(), $"eh-missing-{Guid.NewGuid():N}.pth");
        Assert.Contains("does not exist", Assert.Throws<FileFormatException>(() => PyTorchCheckpoint.Load(missing)).Message);

        using var dir = new TempDir();
        string empty = dir.File("empty.pth");
        File.WriteAllBytes(empty, []);
        Assert.Contains("the file is empty", Assert.Throws<FileFormatException>(() => PyTorchCheckpoint.Load(empty)).Message);
    }

    [Fact]
    public void An_unknown_tensor_name_suggests_the_nearest()
    {
        var c = PyTorchCheckpoint.Load(PthFixtures.File("convnet.pth"));
        var e = Assert.Throws<UnknownNameException>(() => c["conv1.weights"]);
        Assert.Contains("Did you mean: conv1.weight", e.Message);
    }

    [Fact]
    public void Every_truncation_of_a_checkpoint_is_a_file_format_error()
    {
        foreach (var fixture in new[] { "convnet.pth", "legacy.pth" })
        {
            var bytes = File.ReadAllBytes(PthFixtures.File(fixture));
            for (int length = 0; length < bytes.Length; length++)
            {
                var e = Assert.Throws<FileFormatException>(() => PyTorchCheckpoint.Load(new MemoryStream(bytes, 0, length), "cut.pth"));
                Assert.StartsWith("cut.pth: ", e.Message);
            }
        }
    }

    [Fact]
    public void Every_truncation_and_random_corruption_of_the_pickle_is_a_file_format_error_or_a_clean_load()
    {
        string fixture = PthFixtures.File("convnet.pth");
        var pickle = ReadRecord(fixture, "convnet/data.pkl");
        for (int length = 0; length < pickle.Length; length++)
        {
            var zip = WithRecord(fixture, "convnet/data.pkl", pickle[..length]);
            var e = Assert.Throws<FileFormatException>(() => PyTorchCheckpoint.Load(zip, "cut.pth"));
            Assert.StartsWith("cut.pth: ", e.Message);
        }

        var rng = new Random(1234);
        int refused = 0;
        for (int trial = 0; trial < 1000; trial++)
        {
            var mutated = (byte[])pickle.Clone();
            for (int k = rng.Next(1, 4); k > 0; k--) mutated[rng.Next(mutated.Length)] = (byte)rng.Next(256);
            try
            {
                PyTorchCheckpoint.Load(WithRecord(fixture, "convnet/data.pkl", mutated), "mutated.pth");
            }
            catch (FileFormatException e)
            {
                Assert.StartsWith("mutated.pth: ", e.Message);
                refused++;
            }
        }
        Assert.InRange(refused, 500, 1000); // mutations inside strings or numbers may still load
    }

    [Fact]
    public void A_view_reaching_past_its_storage_is_refused()
    {
        // Storage '0' of convnet.pth holds conv1.weight's 108 floats; make its tensor claim offset 100.
        var pickle = ReadRecord(PthFixtures.File("convnet.pth"), "convnet/data.pkl");
        // conv1.weight: ... BINPERSID, BININT1 0 (the offset) — the first 'Q' 'K' 0x00 sequence.
        int at = IndexOf(pickle, [(byte)'Q', (byte)'K', 0]);
        Assert.True(at > 0);
        pickle[at + 2] = 100;
        var e = Assert.Throws<FileFormatException>(() =>
            PyTorchCheckpoint.Load(WithRecord(PthFixtures.File("convnet.pth"), "convnet/data.pkl", pickle), "offset.pth"));
        Assert.Contains("tensor 'conv1.weight' (size (4, 3, 3, 3), stride (27, 9, 3, 1), offset 100) reaches past the end of storage '0'", e.Message);
    }

    [Fact]
    public void Conversion_to_safetensors_writes_every_float_tensor_as_f32()
    {
        using var dir = new TempDir();
        string output = dir.File("nested.safetensors");
        var skipped = CheckpointConverter.PthToSafeTensors(PthFixtures.File("nested.pth"), output);
        Assert.Equal(["bn1.num_batches_tracked"], skipped);

        var (header, data) = ReadSafeTensors(output);
        var meta = header.GetProperty("__metadata__");
        Assert.Equal("pt", meta.GetProperty("format").GetString());
        Assert.Equal("nested.pth", meta.GetProperty("source").GetString());
        long next = 0;
        foreach (var name in ConvNetFloatNames)
        {
            var entry = header.GetProperty(name);
            Assert.Equal("F32", entry.GetProperty("dtype").GetString());
            var shape = entry.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray();
            var offsets = entry.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            Assert.Equal(next, offsets[0]);
            next = offsets[1];
            var values = new float[(offsets[1] - offsets[0]) / 4];
            for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan((int)offsets[0] + 4 * i));
            AssertMatches("nested", name, Tensor.FromArray(values, shape));
        }
        Assert.Equal(data.Length, next);
        Assert.Equal(ConvNetFloatNames.Length + 1, header.EnumerateObject().Count());
    }

    [Fact]
    public void Conversion_keeps_scalar_and_empty_shapes_and_converts_half_precision()
    {
        using var dir = new TempDir();
        string output = dir.File("dtypes.safetensors");
        var skipped = CheckpointConverter.PthToSafeTensors(PthFixtures.File("dtypes.pth"), output);
        Assert.Equal(["int32", "uint8", "mask"], skipped);
        var (header, _) = ReadSafeTensors(output);
        Assert.Equal(0, header.GetProperty("scalar").GetProperty("shape").GetArrayLength());
        Assert.Equal("[0,3]", header.GetProperty("empty").GetProperty("shape").GetRawText());
        Assert.Equal("[16]", header.GetProperty("half").GetProperty("shape").GetRawText());
        Assert.Equal("bfloat16,float16,float32,float64", header.GetProperty("__metadata__").GetProperty("source_dtypes").GetString());
    }

    [Fact]
    public void Conversion_of_a_refused_checkpoint_writes_nothing()
    {
        using var dir = new TempDir();
        string output = dir.File("out.safetensors");
        Assert.Throws<FileFormatException>(() => CheckpointConverter.PthToSafeTensors(PthFixtures.File("malicious_system.pth"), output));
        Assert.False(File.Exists(output));
    }

    private static (JsonElement Header, byte[] Data) ReadSafeTensors(string path)
    {
        var bytes = File.ReadAllBytes(path);
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        var header = JsonDocument.Parse(bytes.AsMemory(8, (int)n)).RootElement.Clone();
        return (header, bytes[(8 + (int)n)..]);
    }

    private static byte[] ReadRecord(string zipPath, string record)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        using var s = zip.GetEntry(record)!.Open();
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    /// <summary>A copy of a checkpoint zip in memory with one record replaced.</summary>
    private static MemoryStream WithRecord(string source, string record, byte[] replacement)
    {
        var buffer = new MemoryStream();
        using (var input = ZipFile.OpenRead(source))
        using (var output = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in input.Entries)
            {
                var target = output.CreateEntry(entry.FullName, CompressionLevel.NoCompression);
                using var to = target.Open();
                if (entry.FullName == record)
                {
                    to.Write(replacement);
                    continue;
                }
                using var from = entry.Open();
                from.CopyTo(to);
            }
        }
        buffer.Position = 0;
        return buffer;
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);

    private sealed class TempDir : IDisposable
    {
        private readonly string _path = Directory.CreateTempSubdirectory("eh-pth-").FullName;

        public string File(string name) => Path.Combine(_path, name);

        public void Dispose() => Directory.Delete(_path, recursive: true);
    }
}
