namespace EvalHarness.Engine.Io;

/// <summary>Converts checkpoints between formats without Python.</summary>
public static class CheckpointConverter
{
    /// <summary>
    /// Writes the float tensors of a torch.save file to a safetensors file as F32 (float16, bfloat16 and
    /// float64 are converted; a nested state dict is unwrapped and a DataParallel "module." prefix
    /// stripped, as <see cref="PyTorchCheckpoint.Load"/> does). Integer buffers such as
    /// num_batches_tracked are not written; their names are returned.
    /// </summary>
    public static IReadOnlyList<string> PthToSafeTensors(string inPath, string outPath)
    {
        ArgumentNullException.ThrowIfNull(inPath);
        ArgumentNullException.ThrowIfNull(outPath);
        var checkpoint = PyTorchCheckpoint.Load(inPath);
        var dtypes = checkpoint.Names.Select(checkpoint.SourceDType).Distinct().Order(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = "pt",
            ["source"] = System.IO.Path.GetFileName(inPath),
            ["source_dtypes"] = string.Join(",", dtypes),
        };
        try
        {
            SafeTensors.Save(outPath, checkpoint.Tensors, metadata);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileFormatException(outPath, $"the safetensors file cannot be written ({e.Message})", e);
        }
        return checkpoint.IntegerTensors.Keys.ToList();
    }
}
