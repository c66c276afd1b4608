using System.Globalization;
using CsvHelper;
using EvalHarness.Engine;

namespace EvalHarness.Reports.Results;

/// <summary>
/// The columns of one results table and how a row is written and read, spelled out field by field so that
/// the file format is visible here and not implied by reflection. Numbers are invariant-culture,
/// doubles round-trip ("R"), NaN is written "NaN", a null string is an empty field.
/// </summary>
internal sealed class CsvTable<T>(string[] columns, Action<CsvWriter, T> write, Func<CsvTable<T>.Row, T> read)
{
    public string[] Columns { get; } = columns;

    public void Write(string path, IEnumerable<T> rows)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, new CsvWriterOptions { NewLine = "\n", FormatProvider = CultureInfo.InvariantCulture }, leaveOpen: true))
        {
            csv.WriteHeader(Columns);
            foreach (var row in rows)
            {
                write(csv, row);
                csv.EndRecord();
            }
        }
        ResultsFolder.WriteAtomically(path, text.ToString());
    }

    public List<T> Read(string path)
    {
        if (!File.Exists(path)) throw new FileFormatException(path, "the file is missing");
        using var csv = CsvReader.FromFile(path, new CsvReaderOptions
        {
            Separator = ',',
            FormatProvider = CultureInfo.InvariantCulture,
            TrackLineNumbers = true,
        });
        csv.ReadHeader();
        var index = new int[Columns.Length];
        for (int i = 0; i < Columns.Length; i++)
            if (!csv.TryGetFieldIndex(Columns[i], out index[i]))
                throw new FileFormatException(path, $"column '{Columns[i]}' is missing; the header must have {string.Join(",", Columns)}");
        var rows = new List<T>();
        while (csv.Read())
        {
            try
            {
                rows.Add(read(new Row(csv, index, Columns)));
            }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or InvalidOperationException)
            {
                throw new FileFormatException(path, $"line {csv.LineNumber}: {e.Message}");
            }
        }
        return rows;
    }

    /// <summary>The current record, read by column position in <see cref="Columns"/>.</summary>
    internal readonly struct Row(CsvReader csv, int[] index, string[] names)
    {
        public string String(int column) => csv.GetString(index[column]) ?? "";

        public string? NullableString(int column) => csv.IsEmpty(index[column]) ? null : csv.GetString(index[column]);

        public int Int(int column) => Parse(column, s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture));

        public double Double(int column) => Parse(column, s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture));

        public bool Bool(int column) => Parse(column, bool.Parse);

        private TValue Parse<TValue>(int column, Func<string, TValue> parse)
        {
            string s = String(column);
            try
            {
                return parse(s);
            }
            catch (FormatException)
            {
                throw new FormatException($"'{s}' in column '{names[column]}' is not a valid {typeof(TValue).Name}");
            }
        }
    }
}
