using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace EvalHarness.Engine.Io.Pickle;

/// <summary>
/// A pickle reader that builds plain data (None, bool, int, float, str, bytes, list, tuple, dict) and
/// hands every global, call and persistent id to an <see cref="IPickleResolver"/>. Nothing in the
/// pickle is ever executed: a REDUCE only applies a callable the resolver implements in C#.
/// Opcode semantics follow CPython's Lib/pickle.py (protocols 2 to 5, binary opcodes only).
/// Every read is bounds-checked; malformed input raises <see cref="PickleException"/> with the byte offset.
/// </summary>
internal sealed class SafeUnpickler
{
    private const int HighestProtocol = 5;
    private const int MaxGlobalNameLength = 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlyMemory<byte> _data;
    private readonly IPickleResolver _resolver;
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<uint, object?> _memo = [];
    private int _pos;
    private int _opcodeStart;

    public SafeUnpickler(ReadOnlyMemory<byte> data, IPickleResolver resolver, int start = 0)
    {
        _data = data;
        _resolver = resolver;
        _pos = start;
    }

    /// <summary>Offset just past the last byte read (after <see cref="Load"/>: just past STOP).</summary>
    public int Position => _pos;

    /// <summary>Reads one pickle from the current position up to and including its STOP opcode.</summary>
    public object? Load()
    {
        _stack.Clear();
        _marks.Clear();
        _memo.Clear();
        while (true)
        {
            _opcodeStart = _pos;
            if (_pos >= _data.Length)
                throw new PickleException($"the pickle ends at byte {_pos} before its STOP opcode (the data is truncated)");
            var op = (PickleOpcode)_data.Span[_pos++];
            try
            {
                if (Step(op)) return Pop();
            }
            catch (PickleException e) when (!e.IsRefusal)
            {
                throw new PickleException($"{e.Message} (opcode {Name(op)} at byte {_opcodeStart})");
            }
        }
    }

    private bool Step(PickleOpcode op)
    {
        switch (op)
        {
            case PickleOpcode.Proto:
                int protocol = ReadByte();
                if (protocol > HighestProtocol) throw new PickleException($"pickle protocol {protocol} is newer than the highest known ({HighestProtocol})");
                break;
            case PickleOpcode.Frame:
                Take(8); // frames only group opcodes; the data is already in memory
                break;
            case PickleOpcode.Stop:
                return true;

            case PickleOpcode.Mark: _marks.Add(_stack.Count); break;
            case PickleOpcode.Pop:
                if (_marks.Count > 0 && _marks[^1] == _stack.Count) PopMark(); // CPython: POP of an empty frame drops the mark
                else Pop();
                break;
            case PickleOpcode.PopMark: PopMark(); break;
            case PickleOpcode.Dup: Push(Peek()); break;

            case PickleOpcode.None: Push(null); break;
            case PickleOpcode.NewTrue: Push(true); break;
            case PickleOpcode.NewFalse: Push(false); break;
            case PickleOpcode.BinInt: Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break;
            case PickleOpcode.BinInt1: Push((long)ReadByte()); break;
            case PickleOpcode.BinInt2: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break;
            case PickleOpcode.Long1: Push(DecodeLong(Take(ReadByte()))); break;
            case PickleOpcode.Long4:
                int n = BinaryPrimitives.ReadInt32LittleEndian(Take(4));
                if (n < 0) throw new PickleException($"LONG4 has a negative byte count {n}");
                Push(DecodeLong(Take((ulong)n)));
                break;
            case PickleOpcode.BinFloat: Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;

            case PickleOpcode.ShortBinUnicode: Push(DecodeUtf8(Take(ReadByte()))); break;
            case PickleOpcode.BinUnicode: Push(DecodeUtf8(Take(ReadUInt32()))); break;
            case PickleOpcode.BinUnicode8: Push(DecodeUtf8(Take(ReadUInt64()))); break;
            case PickleOpcode.ShortBinString: Push(Encoding.Latin1.GetString(Take(ReadByte()))); break;
            case PickleOpcode.BinString:
                int len = BinaryPrimitives.ReadInt32LittleEndian(Take(4));
                if (len < 0) throw new PickleException($"BINSTRING has a negative length {len}");
                Push(Encoding.Latin1.GetString(Take((ulong)len)));
                break;
            case PickleOpcode.ShortBinBytes: Push(Take(ReadByte()).ToArray()); break;
            case PickleOpcode.BinBytes: Push(Take(ReadUInt32()).ToArray()); break;
            case PickleOpcode.BinBytes8: Push(Take(ReadUInt64()).ToArray()); break;

            case PickleOpcode.EmptyTuple: Push(PickleTuple.Empty); break;
            case PickleOpcode.Tuple1: Push(new PickleTuple([Pop()])); break;
            case PickleOpcode.Tuple2: { var b = Pop(); var a = Pop(); Push(new PickleTuple([a, b])); break; }
            case PickleOpcode.Tuple3: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new PickleTuple([a, b, c])); break; }
            case PickleOpcode.Tuple: Push(new PickleTuple(PopMark())); break;
            case PickleOpcode.EmptyList: Push(new List<object?>()); break;
            case PickleOpcode.List: Push(new List<object?>(PopMark())); break;
            case PickleOpcode.EmptyDict: Push(new PickleDict()); break;
            case PickleOpcode.Dict:
            {
                var items = PopMark();
                var dict = new PickleDict();
                SetItems(dict, items);
                Push(dict);
                break;
            }
            case PickleOpcode.Append:
            {
                var value = Pop();
                AsList(Peek(), "APPEND").Add(value);
                break;
            }
            case PickleOpcode.Appends:
            {
                var items = PopMark();
                AsList(Peek(), "APPENDS").AddRange(items);
                break;
            }
            case PickleOpcode.SetItem:
            {
                var value = Pop();
                var key = Pop();
                AsDict(Peek(), "SETITEM").Set(key, value);
                break;
            }
            case PickleOpcode.SetItems:
            {
                var items = PopMark();
                SetItems(AsDict(Peek(), "SETITEMS"), items);
                break;
            }

            case PickleOpcode.BinPut: _memo[ReadByte()] = Peek(); break;
            case PickleOpcode.LongBinPut: _memo[ReadUInt32Raw()] = Peek(); break;
            case PickleOpcode.Memoize: _memo[(uint)_memo.Count] = Peek(); break;
            case PickleOpcode.BinGet: Push(MemoGet(ReadByte())); break;
            case PickleOpcode.LongBinGet: Push(MemoGet(ReadUInt32Raw())); break;

            case PickleOpcode.Global:
            {
                string module = ReadLine();
                string name = ReadLine();
                Push(_resolver.ResolveGlobal(module, name));
                break;
            }
            case PickleOpcode.StackGlobal:
            {
                var name = Pop();
                var module = Pop();
                if (module is not string m || name is not string nm)
                    throw new PickleException($"STACK_GLOBAL needs two strings, got {Describe(module)} and {Describe(name)}");
                Push(_resolver.ResolveGlobal(m, nm));
                break;
            }
            case PickleOpcode.Reduce:
            {
                var args = Pop();
                var callable = Pop();
                if (args is not PickleTuple t) throw new PickleException($"REDUCE needs an argument tuple, got {Describe(args)}");
                Push(_resolver.Reduce(callable, t));
                break;
            }
            case PickleOpcode.NewObj:
            {
                var args = Pop();
                var cls = Pop();
                if (args is not PickleTuple t) throw new PickleException($"NEWOBJ needs an argument tuple, got {Describe(args)}");
                Push(_resolver.NewObject(cls, t));
                break;
            }
            case PickleOpcode.Build:
            {
                var state = Pop();
                _resolver.Build(Peek(), state);
                break;
            }
            case PickleOpcode.BinPersId: Push(_resolver.PersistentLoad(Pop())); break;

            default:
                throw new PickleException($"unsupported pickle opcode 0x{(byte)op:x2} ('{PrintableOpcode((byte)op)}'); the data is corrupt or uses a pickle feature a tensor checkpoint does not need");
        }
        return false;
    }

    /// <summary>A short description of a value for messages; never walks into containers.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        long or BigInteger => $"the int {value}",
        double d => $"the float {d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}",
        string s => s.Length <= 60 ? $"the string '{s}'" : $"a string of {s.Length} characters",
        byte[] b => $"bytes of length {b.Length}",
        List<object?> l => $"a list of {l.Count}",
        PickleTuple t => $"a tuple of {t.Count}",
        PickleDict d => $"a dict of {d.Count}",
        PickleGlobal g => $"the global {g.FullName}",
        _ => value.ToString() ?? value.GetType().Name,
    };

    private static void SetItems(PickleDict dict, object?[] items)
    {
        if (items.Length % 2 != 0) throw new PickleException($"an odd number of items ({items.Length}) for a dict");
        for (int i = 0; i < items.Length; i += 2) dict.Set(items[i], items[i + 1]);
    }

    private static List<object?> AsList(object? target, string opcode) =>
        target as List<object?> ?? throw new PickleException($"{opcode} on {Describe(target)}, not a list");

    private static PickleDict AsDict(object? target, string opcode) =>
        target as PickleDict ?? throw new PickleException($"{opcode} on {Describe(target)}, not a dict");

    private object? MemoGet(uint index) =>
        _memo.TryGetValue(index, out var value) ? value : throw new PickleException($"memo entry {index} is read before it is written");

    private void Push(object? value) => _stack.Add(value);

    private object? Peek()
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count <= floor) throw new PickleException("the pickle stack is empty");
        return _stack[^1];
    }

    private object? Pop()
    {
        var value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object?[] PopMark()
    {
        if (_marks.Count == 0) throw new PickleException("no MARK to pop to");
        int mark = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(mark, _stack.Count - mark).ToArray();
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private ReadOnlySpan<byte> Take(ulong count)
    {
        int remaining = _data.Length - _pos;
        if (count > (ulong)remaining)
            throw new PickleException($"needs {count} bytes but only {remaining} remain (the data is truncated or corrupt)");
        var span = _data.Span.Slice(_pos, (int)count);
        _pos += (int)count;
        return span;
    }

    private byte ReadByte() => Take(1)[0];

    private uint ReadUInt32Raw() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    private ulong ReadUInt32() => ReadUInt32Raw();

    private ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    private string ReadLine()
    {
        var rest = _data.Span[_pos..];
        int end = rest.IndexOf((byte)'\n');
        if (end < 0 || end > MaxGlobalNameLength)
            throw new PickleException($"a GLOBAL name has no line end within {MaxGlobalNameLength} bytes (the data is truncated or corrupt)");
        _pos += end + 1;
        return DecodeUtf8(rest[..end]);
    }

    private string DecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            // Python writes lone surrogates with 'surrogatepass'; a tensor checkpoint never has them.
            throw new PickleException("a string is not valid UTF-8");
        }
    }

    /// <summary>Two's-complement little-endian integer of LONG1/LONG4 (pickle.decode_long).</summary>
    private static object DecodeLong(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0) return 0L;
        if (bytes.Length <= 8)
        {
            long v = 0;
            for (int i = bytes.Length - 1; i >= 0; i--) v = (v << 8) | bytes[i];
            int unused = 64 - 8 * bytes.Length;
            return unused == 0 ? v : (v << unused) >> unused; // sign-extend
        }
        var big = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return big >= long.MinValue && big <= long.MaxValue ? (long)big : big;
    }

    /// <summary>The opcode's name as pickletools prints it.</summary>
    private static string Name(PickleOpcode op)
    {
        if (!Enum.IsDefined(op)) return $"0x{(byte)op:x2}";
        return op.ToString().ToUpperInvariant()
            .Replace("SHORTBIN", "SHORT_BIN", StringComparison.Ordinal)
            .Replace("LONGBIN", "LONG_BIN", StringComparison.Ordinal)
            .Replace("EMPTY", "EMPTY_", StringComparison.Ordinal)
            .Replace("POPMARK", "POP_MARK", StringComparison.Ordinal)
            .Replace("STACKGLOBAL", "STACK_GLOBAL", StringComparison.Ordinal);
    }

    private static string PrintableOpcode(byte b) => b is >= 0x20 and < 0x7f ? ((char)b).ToString() : "\\x" + b.ToString("x2");
}
