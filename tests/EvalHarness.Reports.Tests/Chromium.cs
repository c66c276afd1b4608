using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EvalHarness.Reports.Tests;

/// <summary>
/// Headless Debian Chromium driven over the DevTools protocol on the loopback interface: navigate, evaluate,
/// screenshot, and collect console errors and uncaught exceptions. The browser process is ended on dispose.
/// </summary>
internal sealed class Chromium : IDisposable
{
    public const string Binary = "/usr/bin/chromium";

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly List<JsonObject> _events = [];
    private int _nextId;

    public static bool Available => File.Exists(Binary);

    public Chromium()
    {
        _profile = Path.Combine(Path.GetTempPath(), "eh-chromium-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(_profile);
        var psi = new ProcessStartInfo(Binary,
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions", "--disable-background-networking",
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", $"--user-data-dir={_profile}", "--window-size=1280,900", "about:blank",
        ])
        { RedirectStandardError = true, RedirectStandardOutput = true };
        _process = Process.Start(psi)!;
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        string portFile = Path.Combine(_profile, "DevToolsActivePort");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(portFile) || File.ReadAllText(portFile).Split('\n').Length < 2)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60) || _process.HasExited) throw new InvalidOperationException("chromium did not open its DevTools port");
            Thread.Sleep(100);
        }
        int port = int.Parse(File.ReadAllText(portFile).Split('\n')[0].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using var http = new HttpClient();
        var targets = JsonNode.Parse(http.GetStringAsync($"http://127.0.0.1:{port}/json/list").GetAwaiter().GetResult())!.AsArray();
        string ws = (string)targets.First(t => (string?)t!["type"] == "page")!["webSocketDebuggerUrl"]!;
        _socket.ConnectAsync(new Uri(ws), CancellationToken.None).GetAwaiter().GetResult();
        Send("Runtime.enable");
        Send("Log.enable");
        Send("Page.enable");
    }

    /// <summary>Console errors, uncaught exceptions and error log entries seen so far.</summary>
    public List<string> Errors => _events.Where(e =>
            (string?)e["method"] == "Runtime.exceptionThrown" ||
            ((string?)e["method"] == "Runtime.consoleAPICalled" && (string?)e["params"]!["type"] is "error" or "assert") ||
            ((string?)e["method"] == "Log.entryAdded" && (string?)e["params"]!["entry"]!["level"] == "error"))
        .Select(e => e.ToJsonString()).ToList();

    public void Navigate(string url)
    {
        _events.Clear();
        Send("Page.navigate", new JsonObject { ["url"] = url });
        WaitFor("Page.loadEventFired");
    }

    /// <summary>Evaluates <paramref name="expression"/> and returns its JSON value (returnByValue).</summary>
    public JsonNode? Evaluate(string expression)
    {
        var result = Send("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (result["exceptionDetails"] is { } ex) throw new InvalidOperationException("page script failed: " + ex.ToJsonString());
        return result["result"]!["value"];
    }

    /// <summary>A PNG of the page region (CSS pixels, page coordinates).</summary>
    public byte[] Screenshot(double x, double y, double width, double height) =>
        Convert.FromBase64String((string)Send("Page.captureScreenshot", new JsonObject
        {
            ["format"] = "png",
            ["captureBeyondViewport"] = true,
            ["clip"] = new JsonObject { ["x"] = x, ["y"] = y, ["width"] = width, ["height"] = height, ["scale"] = 1 },
        })["data"]!);

    public JsonObject Send(string method, JsonObject? parameters = null)
    {
        int id = ++_nextId;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None).GetAwaiter().GetResult();
        while (true)
        {
            var m = Receive();
            if ((int?)m["id"] == id)
            {
                if (m["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
                return m["result"]!.AsObject();
            }
        }
    }

    private void WaitFor(string eventName)
    {
        if (_events.Any(e => (string?)e["method"] == eventName)) return;
        while ((string?)Receive()["method"] != eventName) { }
    }

    private JsonObject Receive()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[1 << 16];
        using var ms = new MemoryStream();
        WebSocketReceiveResult r;
        do
        {
            r = _socket.ReceiveAsync(buffer, cts.Token).GetAwaiter().GetResult();
            ms.Write(buffer, 0, r.Count);
        }
        while (!r.EndOfMessage);
        var node = JsonNode.Parse(ms.ToArray())!.AsObject();
        if (node["method"] is not null) _events.Add(node);
        return node;
    }

    public void Dispose()
    {
        try
        {
            _socket.Dispose();
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
            _process.Dispose();
            Directory.Delete(_profile, recursive: true);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
        }
    }
}
