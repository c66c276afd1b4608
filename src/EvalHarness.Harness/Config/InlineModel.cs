using System.Text;
using System.Text.Json;
using EvalHarness.Models.Config;

namespace EvalHarness.Harness.Config;

/// <summary>
/// An inline <c>model:</c> mapping read by the model config reader: the (possibly merged) mapping is
/// written out as YAML with one value per line, and the reader's line and column are mapped back to
/// where each value was written, so errors point into the run config (or the file it included).
/// </summary>
internal static class InlineModel
{
    public static ModelConfig Read(ConfigMap map, string field)
    {
        var text = new StringBuilder();
        var places = new List<(int Line, int Column, ConfigLocation At)>();
        int line = 0;
        void Emit(ConfigMap m, int indent)
        {
            foreach (var e in m.Entries)
            {
                string pad = new(' ', indent);
                line++;
                places.Add((line, indent + 1, e.KeyLocation));
                switch (e.Value)
                {
                    case ConfigMap child:
                        text.Append(pad).Append(e.Key).Append(":\n");
                        Emit(child, indent + 2);
                        break;
                    case ConfigList list:
                        text.Append(pad).Append(e.Key).Append(":\n");
                        foreach (var item in list.Items)
                        {
                            line++;
                            places.Add((line, indent + 3, item.Location));
                            text.Append(pad).Append("  - ").Append(Scalar(item)).Append('\n');
                        }
                        break;
                    default:
                        text.Append(pad).Append(e.Key).Append(": ").Append(Scalar(e.Value)).Append('\n');
                        places.Add((line, indent + e.Key.Length + 3, e.Value.Location));
                        break;
                }
            }
        }
        Emit(map, 0);
        try
        {
            return ModelConfig.Parse(text.ToString(), map.Location.File, map.Location.Directory);
        }
        catch (ModelConfigException e)
        {
            var at = places.Where(p => p.Line == e.Line && p.Column <= Math.Max(e.Column, 1)).Select(p => (ConfigLocation?)p.At).LastOrDefault()
                ?? places.Where(p => p.Line == e.Line).Select(p => (ConfigLocation?)p.At).FirstOrDefault()
                ?? map.Location;
            throw new ConfigException(at, e.Field is null ? field : $"{field}.{e.Field}", e.Problem);
        }
    }

    /// <summary>A scalar as YAML: ~ for null, else a double-quoted string (JSON escapes are YAML escapes); other nodes as flow text.</summary>
    private static string Scalar(ConfigNode node) => node switch
    {
        ConfigScalar { IsNull: true } => "~",
        ConfigScalar s => JsonSerializer.Serialize(s.Value ?? ""),
        ConfigList l => "[" + string.Join(", ", l.Items.Select(Scalar)) + "]",
        _ => "{}",
    };
}
