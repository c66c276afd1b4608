using System.CommandLine;

namespace EvalHarness.Cli;

/// <summary>Every subcommand, and the options several of them share.</summary>
internal static class Commands
{
    public static IEnumerable<Command> All()
    {
        yield return PredictCommand.Create();
        yield return ExplainCommand.Create();
        yield return ConvertCommand.Create();
        yield return ListCommand.Create();
        yield return ValidateModelCommand.Create();
        yield return ReportCommand.Create();
        yield return CompareCommand.Create();
        yield return HistoryCommand.Create();
        yield return TrainSyntheticCommand.Create();
        yield return RunCommand.Create();
        yield return ValidateCommand.Create();
        yield return RunAllCommand.Create();
        yield return MergeCommand.Create();
        yield return CostCommand.Create();
    }

    public static Option<string> ModelConfig() => new("--model-config", "-m")
    {
        Description = "The model's YAML config (configs/models/<name>.yaml).",
        Required = true,
    };

    /// <summary>Runs <paramref name="body"/> with the invocation's writers, turning user errors into one line and exit code 2.</summary>
    public static void SetGuardedAction(this Command command, Func<ParseResult, TextWriter, TextWriter, int> body) =>
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            return Guard.Run(error, () => body(parse, output, error));
        });

    /// <summary>An output path must end in <paramref name="extension"/>; its folder is created when missing.</summary>
    public static string OutputPath(string? path, string option, string extension)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new Engine.EvalHarnessException($"{option} needs a file name ending in {extension}.");
        if (!path.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
            throw new Engine.EvalHarnessException($"{option} '{path}' must end in {extension}.");
        if (Directory.Exists(path))
            throw new Engine.EvalHarnessException($"{option} '{path}' is a directory; give a file name ending in {extension}.");
        return path;
    }

    /// <summary>A model without a weights file computes with eh-init-v1 values; say so on stderr.</summary>
    public static void NoteIfNotPretrained(Models.LoadedModel model, TextWriter error)
    {
        if (model.Pretrained) return;
        error.WriteLine($"note: {model.Config.Name} has no weights file and uses {Models.DeterministicInit.Version} deterministic weights " +
            $"(seed {model.Config.InitSeed.ToString(System.Globalization.CultureInfo.InvariantCulture)}): it is NOT pretrained, so its predictions are meaningless.");
    }

    public static void EnsureFolder(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
    }
}
