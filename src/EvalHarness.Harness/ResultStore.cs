using EvalHarness.Engine;
using Microsoft.Data.Sqlite;

namespace EvalHarness.Harness;

/// <summary>
/// The durable per-image results of a run (store.sqlite in the results folder, SQLite in WAL mode with
/// full synchronisation): the model's prediction per image, each method's map per image (float32
/// blobs, so a new metric recomputes no maps) and each metric's records per image and method. Rows
/// are keyed by content hashes (model, image, target, method and its parameters and version, metric
/// and its parameters and version), and one image × method is committed in one transaction with its
/// metric records, so a run killed at any moment loses at most the work in progress.
/// </summary>
public sealed class ResultStore : IDisposable
{
    public const string FileName = "store.sqlite";

    private readonly SqliteConnection _db;
    private readonly string _path;

    private ResultStore(string path, SqliteConnection db)
    {
        _path = path;
        _db = db;
    }

    public static ResultStore Open(string path)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            db.Open();
            Execute(db, """
                PRAGMA journal_mode=WAL;
                PRAGMA synchronous=FULL;
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS images (key TEXT PRIMARY KEY, image_id TEXT NOT NULL, label INTEGER NOT NULL,
                    target INTEGER NOT NULL, prediction INTEGER NOT NULL, probability REAL NOT NULL);
                CREATE TABLE IF NOT EXISTS maps (key TEXT PRIMARY KEY, image_id TEXT NOT NULL, method TEXT NOT NULL, data BLOB NOT NULL);
                CREATE TABLE IF NOT EXISTS evaluations (key TEXT PRIMARY KEY, image_id TEXT NOT NULL, method TEXT NOT NULL,
                    metric TEXT NOT NULL, protocol TEXT NOT NULL, curves BLOB);
                CREATE TABLE IF NOT EXISTS records (eval_key TEXT NOT NULL, seq INTEGER NOT NULL, value_name TEXT NOT NULL,
                    value REAL, reason TEXT, PRIMARY KEY (eval_key, seq));
                """);
        }
        catch (SqliteException e)
        {
            db.Dispose();
            throw Problem(path, e);
        }
        return new ResultStore(path, db);
    }

    public string? GetMeta(string key)
    {
        using var cmd = Command("SELECT value FROM meta WHERE key = $k", ("$k", key));
        return cmd.ExecuteScalar() as string;
    }

    public void SetMeta(string key, string value) => Guarded(() =>
    {
        using var cmd = Command("INSERT OR REPLACE INTO meta (key, value) VALUES ($k, $v)", ("$k", key), ("$v", value));
        cmd.ExecuteNonQuery();
    });

    /// <summary>Which of <paramref name="keys"/> exist in <paramref name="table"/> ("images", "maps" or "evaluations").</summary>
    public HashSet<string> Existing(string table, IEnumerable<string> keys)
    {
        if (table is not ("images" or "maps" or "evaluations")) throw new ArgumentException(table);
        var found = new HashSet<string>(StringComparer.Ordinal);
        using var cmd = Command($"SELECT 1 FROM {table} WHERE key = $k");
        var p = cmd.Parameters.Add("$k", SqliteType.Text);
        foreach (var key in keys.Distinct())
        {
            p.Value = key;
            if (cmd.ExecuteScalar() is not null) found.Add(key);
        }
        return found;
    }

    public StoredImage? GetImage(string key)
    {
        using var cmd = Command("SELECT image_id, label, target, prediction, probability FROM images WHERE key = $k", ("$k", key));
        using var r = cmd.ExecuteReader();
        return r.Read() ? new StoredImage(r.GetString(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3), r.GetDouble(4)) : null;
    }

    /// <summary>The stored prediction of an image found by its dataset id (a shard's store holds one per image).</summary>
    public StoredImage? FindImage(string imageId)
    {
        using var cmd = Command("SELECT image_id, label, target, prediction, probability FROM images WHERE image_id = $i", ("$i", imageId));
        using var r = cmd.ExecuteReader();
        if (!r.Read()) return null;
        var image = new StoredImage(r.GetString(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3), r.GetDouble(4));
        if (r.Read()) throw new EvalHarnessException($"{_path} holds two predictions for image {imageId}; it was written by more than one config.");
        return image;
    }

    /// <summary>The stored evaluation of a method and metric (run ids) on an image, found by ids, or null.</summary>
    public StoredEvaluation? FindEvaluation(string imageId, string method, string metric)
    {
        var keys = new List<string>();
        using (var cmd = Command("SELECT key FROM evaluations WHERE image_id = $i AND method = $m AND metric = $k", ("$i", imageId), ("$m", method), ("$k", metric)))
        {
            using var r = cmd.ExecuteReader();
            while (r.Read()) keys.Add(r.GetString(0));
        }
        if (keys.Count > 1)
            throw new EvalHarnessException($"{_path} holds {keys.Count} evaluations of {metric} for {method} on image {imageId} (a metric's parameters changed under --extend); merge needs one.");
        return keys.Count == 0 ? null : GetEvaluation(keys[0]);
    }

    public byte[]? GetMap(string key)
    {
        using var cmd = Command("SELECT data FROM maps WHERE key = $k", ("$k", key));
        return cmd.ExecuteScalar() as byte[];
    }

    public StoredEvaluation? GetEvaluation(string key)
    {
        string protocol;
        byte[]? curves;
        using (var cmd = Command("SELECT protocol, curves FROM evaluations WHERE key = $k", ("$k", key)))
        {
            using var r = cmd.ExecuteReader();
            if (!r.Read()) return null;
            protocol = r.GetString(0);
            curves = r.IsDBNull(1) ? null : (byte[])r.GetValue(1);
        }
        var records = new List<StoredRecord>();
        using (var cmd = Command("SELECT value_name, value, reason FROM records WHERE eval_key = $k ORDER BY seq", ("$k", key)))
        {
            using var r = cmd.ExecuteReader();
            while (r.Read())
                records.Add(new StoredRecord(r.GetString(0), r.IsDBNull(1) ? double.NaN : r.GetDouble(1), r.IsDBNull(2) ? null : r.GetString(2)));
        }
        return new StoredEvaluation(protocol, records, curves);
    }

    /// <summary>Stores one image × method in one transaction: the image's prediction (if new), the map (if given) and the metric evaluations.</summary>
    public void Commit(string imageKey, StoredImage image, string mapKey, string method, byte[]? map, IReadOnlyList<NewEvaluation> evaluations) => Guarded(() =>
    {
        using var tx = _db.BeginTransaction();
        using (var cmd = Command("INSERT OR IGNORE INTO images (key, image_id, label, target, prediction, probability) VALUES ($k, $i, $l, $t, $p, $q)",
            ("$k", imageKey), ("$i", image.ImageId), ("$l", image.Label), ("$t", image.Target), ("$p", image.Prediction), ("$q", image.Probability)))
        {
            cmd.Transaction = tx;
            cmd.ExecuteNonQuery();
        }
        if (map is not null)
        {
            using var cmd = Command("INSERT OR IGNORE INTO maps (key, image_id, method, data) VALUES ($k, $i, $m, $d)",
                ("$k", mapKey), ("$i", image.ImageId), ("$m", method), ("$d", map));
            cmd.Transaction = tx;
            cmd.ExecuteNonQuery();
        }
        foreach (var e in evaluations)
        {
            using (var cmd = Command("INSERT OR REPLACE INTO evaluations (key, image_id, method, metric, protocol, curves) VALUES ($k, $i, $m, $n, $p, $c)",
                ("$k", e.Key), ("$i", image.ImageId), ("$m", method), ("$n", e.Metric), ("$p", e.Protocol), ("$c", (object?)e.Curves ?? DBNull.Value)))
            {
                cmd.Transaction = tx;
                cmd.ExecuteNonQuery();
            }
            using (var del = Command("DELETE FROM records WHERE eval_key = $k", ("$k", e.Key)))
            {
                del.Transaction = tx;
                del.ExecuteNonQuery();
            }
            using var ins = Command("INSERT INTO records (eval_key, seq, value_name, value, reason) VALUES ($k, $s, $n, $v, $r)");
            ins.Transaction = tx;
            var k = ins.Parameters.Add("$k", SqliteType.Text);
            var s = ins.Parameters.Add("$s", SqliteType.Integer);
            var n = ins.Parameters.Add("$n", SqliteType.Text);
            var v = ins.Parameters.Add("$v", SqliteType.Real);
            var r = ins.Parameters.Add("$r", SqliteType.Text);
            for (int i = 0; i < e.Records.Count; i++)
            {
                k.Value = e.Key;
                s.Value = i;
                n.Value = e.Records[i].ValueName;
                v.Value = double.IsNaN(e.Records[i].Value) ? DBNull.Value : e.Records[i].Value;
                r.Value = (object?)e.Records[i].NotDefinedReason ?? DBNull.Value;
                ins.ExecuteNonQuery();
            }
        }
        tx.Commit();
    });

    public void Dispose()
    {
        _db.Dispose();
        SqliteConnection.ClearAllPools();
    }

    private SqliteCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        return cmd;
    }

    private void Guarded(Action action)
    {
        try
        {
            action();
        }
        catch (SqliteException e)
        {
            throw Problem(_path, e);
        }
    }

    private static void Execute(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>SQLite's failures in words: a full disk, a read-only folder, a damaged file.</summary>
    private static EvalHarnessException Problem(string path, SqliteException e) => e.SqliteErrorCode switch
    {
        13 => new EvalHarnessException($"the disk is full while storing results in {path}; free some space"),
        8 or 14 => new EvalHarnessException($"cannot write the result store {path} ({e.Message.TrimEnd('.')}); the results folder must be writable."),
        10 => new EvalHarnessException($"input/output error on the result store {path} ({e.Message.TrimEnd('.')}); a full disk or a file-size limit can show as this"),
        11 or 26 => new FileFormatException(path, $"the result store is damaged or not a SQLite file ({e.Message.TrimEnd('.')}); start a new run in another folder."),
        _ => new EvalHarnessException($"the result store {path} failed: {e.Message}"),
    };
}

/// <summary>An image's model outputs as stored.</summary>
public sealed record StoredImage(string ImageId, int Label, int Target, int Prediction, double Probability);

/// <summary>One stored value of a metric (NaN with a reason when not defined).</summary>
public sealed record StoredRecord(string ValueName, double Value, string? NotDefinedReason);

/// <summary>A metric's stored result for one image × method.</summary>
public sealed record StoredEvaluation(string Protocol, IReadOnlyList<StoredRecord> Records, byte[]? Curves);

/// <summary>A metric's result for one image × method, to store.</summary>
public sealed record NewEvaluation(string Key, string Metric, string Protocol, IReadOnlyList<StoredRecord> Records, byte[]? Curves);
