using System.Globalization;
using EvalHarness.Engine;
using EvalHarness.Reports.Results;
using Microsoft.Data.Sqlite;

namespace EvalHarness.Reports.History;

/// <summary>
/// The history of runs in one SQLite file (results/history.sqlite): a row per run and its summary.csv values.
/// Appending is idempotent: a run is keyed by name, start time, config hash and shard, so rebuilding or
/// re-appending the same run replaces its rows instead of adding a second point.
/// </summary>
public sealed class HistoryStore : IDisposable
{
    public const string FileName = "history.sqlite";
    private const int SchemaVersion = 1;

    private readonly SqliteConnection _db;

    public HistoryStore(string path)
    {
        Path = path;
        string? dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            _db.Open();
            int version = Convert.ToInt32(Scalar("PRAGMA user_version"), CultureInfo.InvariantCulture);
            if (version > SchemaVersion)
                throw new FileFormatException(path, $"history schema version {version} is newer than this EvalHarness reads ({SchemaVersion})");
            Execute("""
                CREATE TABLE IF NOT EXISTS runs(
                  run_key TEXT PRIMARY KEY, name TEXT NOT NULL, started_utc TEXT NOT NULL, finished_utc TEXT,
                  git_commit TEXT, git_dirty INTEGER, config_hash TEXT NOT NULL, version TEXT NOT NULL,
                  model TEXT NOT NULL, dataset TEXT NOT NULL, images INTEGER NOT NULL, folder TEXT);
                CREATE TABLE IF NOT EXISTS summary(
                  run_key TEXT NOT NULL REFERENCES runs(run_key) ON DELETE CASCADE,
                  method TEXT NOT NULL, metric TEXT NOT NULL, value_name TEXT NOT NULL, direction TEXT NOT NULL,
                  headline INTEGER NOT NULL, mean REAL, ci95_low REAL, ci95_high REAL, n INTEGER NOT NULL, not_defined INTEGER NOT NULL,
                  PRIMARY KEY(run_key, method, metric, value_name));
                PRAGMA user_version = 1;
                """);
        }
        catch (SqliteException e)
        {
            _db.Dispose();
            throw new FileFormatException(path, $"not a usable SQLite history database ({e.Message})");
        }
    }

    public string Path { get; }

    /// <summary>history.sqlite in the parent or grandparent of a results folder (results/&lt;name&gt;/&lt;stamp&gt;/), or null.</summary>
    public static string? Locate(string resultsDir)
    {
        var dir = new DirectoryInfo(System.IO.Path.GetFullPath(resultsDir)).Parent;
        for (int up = 0; up < 2 && dir is not null; up++, dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, FileName);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>The key of a run in the history: name, start time (UTC, round-trip), config hash and shard.</summary>
    public static string RunKey(RunInfo info) =>
        string.Join("|", info.Name, info.StartedUtc.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), info.ConfigHash,
            info.Shard is { } s ? $"{s.Index}/{s.Count}" : "");

    /// <summary>Adds (or replaces) the run and its summary values.</summary>
    public void Append(RunResults results, string? folder = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        var info = results.Info;
        string key = RunKey(info);
        using var tx = _db.BeginTransaction();
        Execute("DELETE FROM summary WHERE run_key = $k", ("$k", key));
        Execute("DELETE FROM runs WHERE run_key = $k", ("$k", key));
        Execute("""
            INSERT INTO runs(run_key, name, started_utc, finished_utc, git_commit, git_dirty, config_hash, version, model, dataset, images, folder)
            VALUES($k, $name, $start, $finish, $commit, $dirty, $hash, $version, $model, $dataset, $images, $folder)
            """,
            ("$k", key), ("$name", info.Name), ("$start", info.StartedUtc.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
            ("$finish", info.FinishedUtc?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)), ("$commit", info.GitCommit),
            ("$dirty", info.GitDirty is { } d ? (d ? 1 : 0) : null), ("$hash", info.ConfigHash), ("$version", info.EvalHarnessVersion),
            ("$model", info.Model.Name), ("$dataset", $"{info.Dataset.Kind}: {info.Dataset.Source}"),
            ("$images", results.PerImage.Select(p => p.ImageId).Distinct().Count()), ("$folder", folder));
        foreach (var r in results.Summary)
            Execute("""
                INSERT OR REPLACE INTO summary(run_key, method, metric, value_name, direction, headline, mean, ci95_low, ci95_high, n, not_defined)
                VALUES($k, $method, $metric, $value, $dir, $head, $mean, $lo, $hi, $n, $nd)
                """,
                ("$k", key), ("$method", r.Method), ("$metric", r.Metric), ("$value", r.ValueName), ("$dir", r.Direction),
                ("$head", r.Headline ? 1 : 0), ("$mean", Real(r.Mean)), ("$lo", Real(r.Ci95Low)), ("$hi", Real(r.Ci95High)), ("$n", r.N), ("$nd", r.NotDefined));
        tx.Commit();
    }

    /// <summary>Summary values in run start order, optionally only of one run name and one metric (headline values unless <paramref name="allValues"/>).</summary>
    public List<HistoryPoint> Points(string? name = null, string? metric = null, bool allValues = false)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = """
            SELECT r.run_key, r.name, r.started_utc, r.git_commit, r.config_hash, s.method, s.metric, s.value_name, s.direction, s.headline,
                   s.mean, s.ci95_low, s.ci95_high, s.n, s.not_defined
            FROM summary s JOIN runs r ON r.run_key = s.run_key
            WHERE ($name IS NULL OR r.name = $name) AND ($metric IS NULL OR s.metric = $metric) AND ($all = 1 OR s.headline = 1)
            ORDER BY r.started_utc, r.run_key, s.metric, s.value_name, s.method
            """;
        cmd.Parameters.AddWithValue("$name", (object?)name ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$metric", (object?)metric ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$all", allValues ? 1 : 0);
        var points = new List<HistoryPoint>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
            points.Add(new HistoryPoint(
                reader.GetString(0), reader.GetString(1), DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8),
                reader.GetInt64(9) != 0, Double(reader, 10), Double(reader, 11), Double(reader, 12), reader.GetInt32(13), reader.GetInt32(14)));
        return points;
    }

    /// <summary>The metric ids in the history (for messages about an unknown --metric).</summary>
    public List<string> Metrics()
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT DISTINCT metric FROM summary ORDER BY metric";
        var list = new List<string>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) list.Add(reader.GetString(0));
        return list;
    }

    public void Dispose() => _db.Dispose();

    // SQLite stores a NaN REAL as NULL; a NULL mean reads back as NaN.
    private static object? Real(double v) => double.IsNaN(v) ? null : v;

    private static double Double(SqliteDataReader reader, int i) => reader.IsDBNull(i) ? double.NaN : reader.GetDouble(i);

    private object? Scalar(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    private void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (n, v) in parameters) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        cmd.ExecuteNonQuery();
    }
}
