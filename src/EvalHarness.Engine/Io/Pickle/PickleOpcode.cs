namespace EvalHarness.Engine.Io.Pickle;

/// <summary>
/// The pickle opcodes <see cref="SafeUnpickler"/> understands (values as in CPython's Lib/pickle.py).
/// Text-mode (protocol 0/1) opcodes and those that build sets or call with keyword arguments are absent.
/// </summary>
internal enum PickleOpcode : byte
{
    Mark = (byte)'(',
    Stop = (byte)'.',
    Pop = (byte)'0',
    PopMark = (byte)'1',
    Dup = (byte)'2',
    BinInt = (byte)'J',
    BinInt1 = (byte)'K',
    BinInt2 = (byte)'M',
    None = (byte)'N',
    BinPersId = (byte)'Q',
    Reduce = (byte)'R',
    BinString = (byte)'T',
    ShortBinString = (byte)'U',
    BinUnicode = (byte)'X',
    Append = (byte)'a',
    Build = (byte)'b',
    Global = (byte)'c',
    Dict = (byte)'d',
    EmptyDict = (byte)'}',
    Appends = (byte)'e',
    BinGet = (byte)'h',
    LongBinGet = (byte)'j',
    List = (byte)'l',
    EmptyList = (byte)']',
    BinPut = (byte)'q',
    LongBinPut = (byte)'r',
    SetItem = (byte)'s',
    Tuple = (byte)'t',
    EmptyTuple = (byte)')',
    SetItems = (byte)'u',
    BinFloat = (byte)'G',

    // Protocol 2
    Proto = 0x80,
    NewObj = 0x81,
    Tuple1 = 0x85,
    Tuple2 = 0x86,
    Tuple3 = 0x87,
    NewTrue = 0x88,
    NewFalse = 0x89,
    Long1 = 0x8a,
    Long4 = 0x8b,

    // Protocol 3
    BinBytes = (byte)'B',
    ShortBinBytes = (byte)'C',

    // Protocol 4
    ShortBinUnicode = 0x8c,
    BinUnicode8 = 0x8d,
    BinBytes8 = 0x8e,
    StackGlobal = 0x93,
    Memoize = 0x94,
    Frame = 0x95,
}
