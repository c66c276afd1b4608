using System.Numerics;
using System.Text;
using EvalHarness.Engine.Io;
using EvalHarness.Engine.Io.Pickle;

namespace EvalHarness.Engine.Tests.Io;

public class SafeUnpicklerTests
{
    // Pickles assembled by hand from the opcode table of CPython's Lib/pickle.py; expected values derived by hand.
    private static byte[] P(params object[] parts)
    {
        var bytes = new List<byte> { 0x80, 2 };
        foreach (var part in parts)
        {
            switch (part)
            {
                case byte b: bytes.Add(b); break;
                case char c: bytes.Add((byte)c); break;
                case int i: bytes.Add(checked((byte)i)); break;
                case string s: bytes.AddRange(Encoding.UTF8.GetBytes(s)); break;
                case byte[] a: bytes.AddRange(a); break;
                default: throw new ArgumentException(part.GetType().Name);
            }
        }
        return [.. bytes];
    }

    private static byte[] Str(string s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s);
        return [0x8c, checked((byte)utf8.Length), .. utf8]; // SHORT_BINUNICODE
    }

    private static object? Load(byte[] pickle) => new SafeUnpickler(pickle, new TorchPickleResolver()).Load();

    private static PickleException Fails(byte[] pickle) => Assert.Throws<PickleException>(() => Load(pickle));

    [Fact]
    public void Integers_floats_strings_and_constants_decode_as_python_does()
    {
        var t = Assert.IsType<PickleTuple>(Load(P('(',
            'K', 5,                                   // BININT1 5
            'M', 0x34, 0x12,                          // BININT2 0x1234
            'J', 0xff, 0xff, 0xff, 0xff,              // BININT -1
            0x8a, 0,                                  // LONG1 of no bytes: 0
            0x8a, 1, 0xff,                            // LONG1 -1
            0x8a, 2, 0x00, 0x01,                      // LONG1 256
            0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1,       // LONG1 2^64
            'G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0,        // BINFLOAT 1.5 (big-endian)
            Str("é"), 'X', 2, 0, 0, 0, "ab",          // SHORT_BINUNICODE, BINUNICODE
            'C', 2, 1, 2,                             // SHORT_BINBYTES
            0x88, 0x89, 'N',                          // True, False, None
            't', '.')));
        Assert.Equal(5L, t[0]);
        Assert.Equal(0x1234L, t[1]);
        Assert.Equal(-1L, t[2]);
        Assert.Equal(0L, t[3]);
        Assert.Equal(-1L, t[4]);
        Assert.Equal(256L, t[5]);
        Assert.Equal(BigInteger.One << 64, t[6]);
        Assert.Equal(1.5, t[7]);
        Assert.Equal("é", t[8]);
        Assert.Equal("ab", t[9]);
        Assert.Equal(new byte[] { 1, 2 }, t[10]);
        Assert.Equal(true, t[11]);
        Assert.Equal(false, t[12]);
        Assert.Null(t[13]);
    }

    [Fact]
    public void Dicts_keep_insertion_order_and_a_repeated_key_keeps_its_place()
    {
        // {'a': 1, 'b': 2} then d['a'] = 3; tuple keys compare by value
        var d = Assert.IsType<PickleDict>(Load(P('}', '(', Str("a"), 'K', 1, Str("b"), 'K', 2, 'u',
            Str("a"), 'K', 3, 's', '(', 'K', 1, 'K', 2, 't', 'K', 4, 's', '.')));
        Assert.Equal(["a", "b", null], d.Items.Select(kv => kv.Key as string));
        Assert.Equal(3L, d.Items[0].Value);
        Assert.True(d.TryGet(new PickleTuple([1L, 2L]), out var v));
        Assert.Equal(4L, v);
    }

    [Fact]
    public void Memo_marks_and_stack_opcodes_work()
    {
        var list = Assert.IsType<List<object?>>(Load(P(']',
            'K', 7, 0x85, 'q', 3, 'a',              // t = (7,); memo[3] = t; list.append(t)
            'h', 3, 'a',                            // list.append(memo[3])
            '(', 'K', 1, '1',                       // MARK, 1, POP_MARK: nothing left
            'K', 2, '2', '0', 'a',                  // 2, DUP, POP: list.append(2)
            'K', 9, 0x94, '0', 'h', 1,              // MEMOIZE stores 9 at len(memo) = 1; BINGET 1
            'r', 16, 0, 0, 0, 'a',                  // LONG_BINPUT 16; list.append(9)
            'j', 16, 0, 0, 0, 'a',                  // list.append(memo[16])
            '.')));
        Assert.Equal(5, list.Count);
        Assert.Same(list[0], list[1]);
        Assert.Equal(7L, Assert.IsType<PickleTuple>(list[0])[0]);
        Assert.Equal([2L, 9L, 9L], list.Skip(2).Cast<long>());
    }

    [Fact]
    public void A_list_that_contains_itself_is_fine()
    {
        var list = Assert.IsType<List<object?>>(Load(P(']', 'q', 0, 'h', 0, 'a', '.')));
        Assert.Same(list, list[0]);
        Assert.Equal("a list of 1", SafeUnpickler.Describe(list));
    }

    [Fact]
    public void Protocol_4_framing_and_memoize_are_understood()
    {
        byte[] body = [0x8c, 1, (byte)'x', 0x94, 0x68, 0, 0x86, (byte)'.'];
        byte[] pickle = [0x80, 4, 0x95, (byte)body.Length, 0, 0, 0, 0, 0, 0, 0, .. body];
        var t = Assert.IsType<PickleTuple>(Load(pickle));
        Assert.Equal(["x", "x"], t.Items.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { }, "the pickle ends at byte 0 before its STOP opcode")]
    [InlineData(new byte[] { 0x80, 2, 0xff }, "unsupported pickle opcode 0xff")]
    [InlineData(new byte[] { 0x80, 6 }, "pickle protocol 6 is newer")]
    [InlineData(new byte[] { 0x80, 2, (byte)'0', (byte)'.' }, "the pickle stack is empty (opcode POP at byte 2)")]
    [InlineData(new byte[] { 0x80, 2, (byte)'h', 7 }, "memo entry 7 is read before it is written (opcode BINGET at byte 2)")]
    [InlineData(new byte[] { 0x80, 2, (byte)'}', (byte)'(', (byte)'K', 1, (byte)'u' }, "an odd number of items (1) for a dict")]
    [InlineData(new byte[] { 0x80, 2, (byte)'}', (byte)']', (byte)'K', 1, (byte)'s' }, "a dict key is a list of 0, which is not hashable")]
    [InlineData(new byte[] { 0x80, 2, (byte)'X', 0xff, 0xff, 0xff, 0xff, (byte)'a' }, "needs 4294967295 bytes but only 1 remain (the data is truncated or corrupt) (opcode BINUNICODE at byte 2)")]
    [InlineData(new byte[] { 0x80, 2, 0x8c, 1, 0xff }, "a string is not valid UTF-8")]
    [InlineData(new byte[] { 0x80, 2, (byte)'K', 1, (byte)'K', 2, (byte)'a' }, "APPEND on the int 1, not a list")]
    [InlineData(new byte[] { 0x80, 2, (byte)'t' }, "no MARK to pop to")]
    [InlineData(new byte[] { 0x80, 2, (byte)'c', (byte)'o', (byte)'s' }, "a GLOBAL name has no line end")]
    public void Malformed_pickles_are_reported_precisely(byte[] pickle, string message)
    {
        var e = Fails(pickle);
        Assert.Contains(message, e.Message);
        Assert.False(e.IsRefusal);
    }

    [Fact]
    public void Tuples_nested_too_deep_are_refused_before_they_can_exhaust_the_stack()
    {
        var pickle = new List<byte> { 0x80, 2, (byte)')' };
        for (int i = 0; i < 100_000; i++) pickle.Add(0x85); // TUPLE1
        pickle.Add((byte)'.');
        Assert.Contains("nested more than 256 levels", Fails([.. pickle]).Message);
    }

    [Theory]
    [InlineData("posix", "system")]
    [InlineData("nt", "system")]
    [InlineData("subprocess", "Popen")]
    [InlineData("builtins", "getattr")]
    [InlineData("__builtin__", "eval")]
    [InlineData("torch", "load")]
    [InlineData("torch.storage", "_load_from_bytes")]
    [InlineData("numpy.core.multiarray", "_reconstruct")]
    public void Globals_outside_the_allow_list_are_refused_by_name(string module, string name)
    {
        var e = Fails(P('c', module + "\n" + name + "\n", ')', 'R', '.'));
        Assert.True(e.IsRefusal);
        Assert.Contains($"'{module}.{name}'", e.Message);
        Assert.Contains("code objects EvalHarness will not execute", e.Message);
        var stacked = Fails(P(Str(module), Str(name), 0x93, '.'));
        Assert.True(stacked.IsRefusal);
        Assert.Contains($"'{module}.{name}'", stacked.Message);
    }

    [Fact]
    public void Refusals_of_torch_data_functions_say_why()
    {
        Assert.Contains("nested legacy checkpoint", Fails(P('c', "torch.storage\n_load_from_bytes\n", '.')).Message);
        Assert.Contains("quantized tensor", Fails(P('c', "torch._utils\n_rebuild_qtensor\n", '.')).Message);
    }

    [Fact]
    public void Allowed_globals_cannot_be_used_beyond_what_they_mean()
    {
        Assert.Contains("torch.FloatStorage", Fails(P('c', "torch\nFloatStorage\n", ')', 'R', '.')).Message); // a storage class is not callable
        Assert.Contains("NEWOBJ creates an instance of the global torch._utils._rebuild_tensor_v2",
            Fails(P('c', "torch._utils\n_rebuild_tensor_v2\n", ')', 0x81, '.')).Message);
        Assert.Contains("BUILD sets state on a list of 0", Fails(P(']', '}', 'b', '.')).Message);
        Assert.Contains("STACK_GLOBAL needs two strings", Fails(P('K', 1, Str("x"), 0x93, '.')).Message);
        Assert.Contains("torch._utils._rebuild_tensor_v2 takes 6 or 7 arguments, got 1",
            Fails(P('c', "torch._utils\n_rebuild_tensor_v2\n", 'K', 1, 0x85, 'R', '.')).Message);
        Assert.Contains("a persistent id is the int 3",
            Fails(P('K', 3, 'Q', '.')).Message);
    }

    [Fact]
    public void A_tensor_is_rebuilt_from_its_storage_reference_without_reading_data()
    {
        // _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', 6) → storage, 1, (2, 2), (1, 2), False, OrderedDict())
        var pickle = P('c', "torch._utils\n_rebuild_tensor_v2\n", '(',
            '(', Str("storage"), 'c', "torch\nFloatStorage\n", Str("0"), Str("cpu"), 'K', 6, 't', 'Q',
            'K', 1, 'K', 2, 'K', 2, 0x86, 'K', 1, 'K', 2, 0x86, 0x89, 'c', "collections\nOrderedDict\n", ')', 'R', 't', 'R', '.');
        var resolver = new TorchPickleResolver();
        var t = Assert.IsType<TorchTensorRef>(new SafeUnpickler(pickle, resolver).Load());
        Assert.Equal(1, t.Offset);
        Assert.Equal([2L, 2L], t.Size);
        Assert.Equal([1L, 2L], t.Stride);
        Assert.Same(TorchStorageType.Float32, t.Storage.Type);
        Assert.Equal(6, t.Storage.Numel);
        Assert.Same(t.Storage, resolver.Storages["0"]);
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        var data = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        Assert.Equal(Crc32.Compute(data), Crc32.Append(Crc32.Compute(data.AsSpan(0, 333)), data.AsSpan(333)));
        Assert.Equal(0u, Crc32.Compute([]));
    }
}
