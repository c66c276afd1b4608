namespace EvalHarness.Engine.Io;

/// <summary>Element types of the safetensors format (huggingface/safetensors, "dtype" in the header).</summary>
public enum SafeTensorsDType
{
    F64,
    F32,
    F16,
    BF16,
    I64,
    I32,
    I16,
    I8,
    U64,
    U32,
    U16,
    U8,
    BOOL,
    F8_E4M3,
    F8_E5M2,
}
