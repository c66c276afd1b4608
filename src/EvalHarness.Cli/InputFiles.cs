using EvalHarness.Engine;
using EvalHarness.Engine.Io;
using EvalHarness.Models;

namespace EvalHarness.Cli;

/// <summary>
/// Resolves --image arguments (files, or folders of images) and turns each into a network input:
/// an image file through the model's preprocessing, or a .npy tensor that is already preprocessed.
/// </summary>
internal static class InputFiles
{
    public const string NpyExtension = ".npy";

    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".ppm", ".pgm"];

    /// <summary>Files in argument order; a folder contributes its images and .npy files, sorted by name (ordinal).</summary>
    public static IReadOnlyList<string> Expand(IReadOnlyList<string> arguments)
    {
        if (arguments.Count == 0) throw new EvalHarnessException("No input: give --image with an image file, a .npy tensor or a folder of images.");
        var files = new List<string>();
        foreach (var arg in arguments)
        {
            if (Directory.Exists(arg))
            {
                var found = Directory.EnumerateFiles(arg)
                    .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()) ||
                                Path.GetExtension(f).Equals(NpyExtension, StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (found.Count == 0)
                    throw new EvalHarnessException($"The folder {arg} holds no input files ({string.Join(", ", ImageExtensions)} or {NpyExtension}).");
                files.AddRange(found);
            }
            else if (File.Exists(arg))
            {
                files.Add(arg);
            }
            else
            {
                throw new FileFormatException(arg, "no such file or folder.");
            }
        }
        return files;
    }

    /// <summary>The network input for one file, checked against the network's layers.</summary>
    public static ModelInput Read(string path, LoadedModel model)
    {
        Tensor tensor;
        bool npy = Path.GetExtension(path).Equals(NpyExtension, StringComparison.OrdinalIgnoreCase);
        if (npy)
        {
            tensor = ReadNpy(path);
        }
        else
        {
            var image = ImageFile.Read(path);
            tensor = model.Prepare(image).Tensor;
        }
        try
        {
            model.Graph.InferShapes(tensor.ShapeArray);
        }
        catch (ShapeException e)
        {
            throw new ShapeException($"{path}: the input {tensor.ShapeString} does not fit {model.Config.Architecture} " +
                $"(its preprocessing gives 1×3×{model.InputSize.Height}×{model.InputSize.Width}): {e.Message}");
        }
        return new ModelInput(path, tensor, npy);
    }

    /// <summary>A preprocessed float32 tensor C×H×W or 1×C×H×W, used as is (returned as 1×C×H×W).</summary>
    private static Tensor ReadNpy(string path)
    {
        var array = Npy.Read(path);
        if (array.DType != "<f4")
            throw new FileFormatException(path, $"the array's dtype is '{array.DType}', not float32 ('<f4'); a preprocessed input must be float32 " +
                "(in NumPy: x.astype(np.float32)).");
        var shape = array.Shape;
        bool ok = shape.Length == 3 || (shape.Length == 4 && shape[0] == 1);
        if (!ok)
            throw new ShapeException($"{path}: the array has shape {ShapeUtil.Format(shape)}; a preprocessed input is C×H×W or 1×C×H×W " +
                "(one image; give several --image files for a batch).");
        int[] full = shape.Length == 3 ? [1, .. shape] : shape;
        var tensor = new Tensor((float[])array.Data, full);
        tensor.EnsureFinite($"{path}: the input tensor");
        return tensor;
    }
}
