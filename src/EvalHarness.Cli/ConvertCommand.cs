using System.CommandLine;
using EvalHarness.Engine;
using EvalHarness.Engine.Io;

namespace EvalHarness.Cli;

/// <summary><c>evalharness convert</c>: a PyTorch checkpoint to safetensors, without Python.</summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("in.pth") { Description = "A torch.save file (.pth, .pt): a state dict, possibly nested or from DataParallel." };
        var outFile = new Argument<string>("out.safetensors") { Description = "The safetensors file to write (float32)." };
        var command = new Command("convert", "Convert a PyTorch checkpoint to a safetensors file.") { input, outFile };
        command.SetGuardedAction((parse, output, _) =>
        {
            string source = parse.GetValue(input)!;
            string target = Commands.OutputPath(parse.GetValue(outFile), "the output", ".safetensors");
            if (Path.GetFullPath(source) == Path.GetFullPath(target))
                throw new EvalHarnessException($"The output {target} would overwrite the input.");
            if (!File.Exists(source))
                throw new FileFormatException(source, Directory.Exists(source) ? "is a folder, not a checkpoint file." : "the checkpoint file does not exist.");
            Commands.EnsureFolder(target);
            var skipped = CheckpointConverter.PthToSafeTensors(source, target);
            using var written = SafeTensors.Open(target);
            output.WriteLine($"{target}: {written.Entries.Count} float32 tensors from {source}");
            if (skipped.Count > 0)
                output.WriteLine($"not written (integer buffers, unused by inference): {string.Join(", ", skipped)}");
            return 0;
        });
        return command;
    }
}
