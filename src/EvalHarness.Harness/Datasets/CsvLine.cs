using EvalHarness.Engine;

namespace EvalHarness.Harness.Datasets;

/// <summary>Splits one CSV line into fields (RFC 4180: commas, double quotes, "" inside quotes); multi-line fields are not supported.</summary>
internal static class CsvLine
{
    public static List<string> Split(string line, string path, int lineNumber)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        int i = 0;
        while (true)
        {
            field.Clear();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                        throw new FileFormatException(path, $"line {lineNumber}: a quoted field is not closed (a field may not span lines).");
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    field.Append(line[i++]);
                }
                if (i < line.Length && line[i] != ',')
                    throw new FileFormatException(path, $"line {lineNumber}: unexpected text after a closing quote at column {i + 1}.");
            }
            else
            {
                while (i < line.Length && line[i] != ',') field.Append(line[i++]);
            }
            fields.Add(field.ToString());
            if (i >= line.Length) return fields;
            i++; // the comma
        }
    }

    /// <summary>The lines of a text file (BOM removed); a missing file is a FileFormatException.</summary>
    public static string[] ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileFormatException(path, $"cannot be read: {e.Message}", e);
        }
    }
}
