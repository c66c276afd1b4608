using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EvalHarness.Engine;
using EvalHarness.Engine.Io;
using EvalHarness.Models;

namespace EvalHarness.Cli;

/// <summary><c>evalharness predict</c>: top-k classes of images (or preprocessed .npy tensors).</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var config = Commands.ModelConfig();
        var images = new Option<string[]>("--image", "-i")
        {
            Description = "An image (JPEG, PNG, BMP, PPM), a preprocessed .npy tensor (C×H×W or 1×C×H×W float32), or a folder of them. Repeatable.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var top = new Option<int>("--top", "-k") { Description = "How many classes to show per image.", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var logitsOut = new Option<string?>("--logits-out") { Description = "Write the logits of every input, N×classes float32, to this .npy file." };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per forward pass.", DefaultValueFactory = _ => 16 };
        var command = new Command("predict", "Classify images with a model and print the top classes.")
        {
            config, images, top, json, logitsOut, batchSize,
        };
        command.SetGuardedAction((parse, output, error) =>
        {
            int k = parse.GetValue(top);
            if (k < 1) throw new EvalHarnessException($"--top must be at least 1, not {k}.");
            int batch = parse.GetValue(batchSize);
            if (batch < 1) throw new EvalHarnessException($"--batch-size must be at least 1, not {batch}.");
            string? logitsPath = parse.GetValue(logitsOut) is { } lp ? Commands.OutputPath(lp, "--logits-out", ".npy") : null;
            var files = InputFiles.Expand(parse.GetValue(images) ?? []);
            var model = ModelLoader.Load(parse.GetValue(config)!);
            Commands.NoteIfNotPretrained(model, error);
            k = Math.Min(k, model.NumClasses);

            var logits = Run(model, files, batch);
            var results = new List<(string Path, double[] P, int[] Top)>();
            for (int n = 0; n < files.Count; n++)
            {
                var p = Ranking.Softmax(logits.Sample(n));
                results.Add((files[n], p, Ranking.Top(p, k)));
            }
            if (parse.GetValue(json)) WriteJson(output, model, results);
            else WriteText(output, model, results);
            if (logitsPath is not null)
            {
                Commands.EnsureFolder(logitsPath);
                Npy.Write(logitsPath, logits);
            }
            return 0;
        });
        return command;
    }

    /// <summary>Logits N×classes in file order; inputs go through the network in batches of equal shape.</summary>
    private static Tensor Run(LoadedModel model, IReadOnlyList<string> files, int batchSize)
    {
        var logits = Tensor.Uninitialized(files.Count, model.NumClasses);
        for (int start = 0; start < files.Count; start += batchSize)
        {
            var inputs = files.Skip(start).Take(batchSize).Select(f => InputFiles.Read(f, model)).ToList();
            int i = 0;
            while (i < inputs.Count)
            {
                int j = i + 1;
                while (j < inputs.Count && inputs[j].Tensor.SameShape(inputs[i].Tensor)) j++;
                var batch = Tensor.ConcatBatch(inputs.Skip(i).Take(j - i).Select(x => x.Tensor).ToList());
                var output = model.Logits(batch);
                output.EnsureFinite($"The logits of {inputs[i].Path}{(j - i > 1 ? $" and {j - i - 1} more" : "")}");
                output.Data.AsSpan().CopyTo(logits.Data.AsSpan((start + i) * model.NumClasses));
                i = j;
            }
        }
        return logits;
    }

    private static void WriteText(TextWriter output, LoadedModel model, List<(string Path, double[] P, int[] Top)> results)
    {
        var inv = CultureInfo.InvariantCulture;
        int width = (model.NumClasses - 1).ToString(inv).Length;
        foreach (var (path, p, top) in results)
        {
            output.WriteLine(path);
            for (int r = 0; r < top.Length; r++)
            {
                int c = top[r];
                output.WriteLine(string.Create(inv, $"  {r + 1,2}. {p[c]:0.0000}  {c.ToString(inv).PadLeft(width)}  {model.ClassName(c)}"));
            }
        }
    }

    private static void WriteJson(TextWriter output, LoadedModel model, List<(string Path, double[] P, int[] Top)> results)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("model", model.Config.Name);
            w.WriteString("architecture", model.Config.Architecture);
            w.WriteBoolean("pretrained", model.Pretrained);
            w.WriteStartArray("results");
            foreach (var (path, p, top) in results)
            {
                w.WriteStartObject();
                w.WriteString("image", path);
                w.WriteStartArray("top");
                foreach (int c in top)
                {
                    w.WriteStartObject();
                    w.WriteNumber("class", c);
                    w.WriteString("label", model.ClassName(c));
                    w.WriteNumber("probability", p[c]);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
