using System.CommandLine;
using EvalHarness.Engine;
using EvalHarness.Models;
using EvalHarness.Models.Config;

namespace EvalHarness.Cli;

/// <summary>
/// <c>evalharness validate-model</c>: checks a model config (every field, the files it names, the
/// target layer, the input size) and that the weights fit the architecture, without running the model.
/// </summary>
internal static class ValidateModelCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("config.yaml") { Description = "The model config to check." };
        var command = new Command("validate-model", "Check a model config and its weights without running the model.") { file };
        command.SetGuardedAction((parse, output, _) =>
        {
            var config = ModelConfig.Load(parse.GetValue(file)!);
            var model = ModelLoader.Load(config);
            var (w, h) = config.InputSize;
            var shapes = model.Graph.InferShapes([1, 3, h, w]);
            var layerShape = shapes[model.Graph.IndexOf(model.TargetLayer)];
            output.Write(config.Summary());
            output.WriteLine("layer output".PadRight(14) + ShapeUtil.Format(layerShape));
            output.WriteLine("logits".PadRight(14) + ShapeUtil.Format(shapes[^1]));
            output.WriteLine(config.Pretrained
                ? $"valid: {model.LoadedTensors} tensors load strictly from the weights file"
                : "valid (no weights file: eh-init-v1 values, not pretrained)");
            return 0;
        });
        return command;
    }
}
