using System.Text.Json.Nodes;
using EvalHarness.Engine.Io;

namespace EvalHarness.Reports.Tests;

public sealed class HtmlReportTests : IDisposable
{
    private readonly TestFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_page_is_self_contained()
    {
        SyntheticRun.Write(_dir.Path);
        ReportWriter.WriteAll(_dir.Path);
        string html = File.ReadAllText(_dir["report.html"]);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", ""));
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain(" src=\"gallery", html);
        Assert.Equal(2, html.Split("src=\"data:image/png;base64,").Length - 1);
        Assert.Equal(9, html.Split("<svg ").Length - 1);
        Assert.Contains("<td>vgg16 (vgg16, 1000 classes)</td>", html);
        Assert.Contains("397923af8e79cdbb", html);
    }

    [SkippableFact]
    [Trait("Category", "Browser")]
    public void Chromium_renders_every_plot_and_map_without_console_errors_and_sorts_tables()
    {
        Skip.IfNot(Chromium.Available, $"{Chromium.Binary} is not installed (Debian package 'chromium'); the browser check of report.html is skipped");
        SyntheticRun.Write(_dir.Path);
        ReportWriter.WriteAll(_dir.Path);
        using var browser = new Chromium();
        browser.Navigate(new Uri(_dir["report.html"]).AbsoluteUri);

        var boxes = browser.Evaluate("""
            JSON.stringify(Array.from(document.querySelectorAll('figure svg, figure img')).map(function (e) {
              var r = e.getBoundingClientRect();
              return { tag: e.tagName.toLowerCase(), x: r.left + window.scrollX, y: r.top + window.scrollY, w: r.width, h: r.height,
                       ok: e.tagName.toLowerCase() === 'img' ? (e.complete && e.naturalWidth > 0) : true };
            }))
            """)!.GetValue<string>();
        var elements = JsonNode.Parse(boxes)!.AsArray();
        Assert.Equal(9, elements.Count(e => (string?)e!["tag"] == "svg"));
        Assert.Equal(2, elements.Count(e => (string?)e!["tag"] == "img"));
        foreach (var e in elements)
        {
            double w = (double)e!["w"]!, h = (double)e["h"]!;
            Assert.True((bool)e["ok"]! && w > 100 && h > 100, $"{e.ToJsonString()} did not render");
            var shot = Png.Decode(browser.Screenshot((double)e["x"]!, (double)e["y"]!, w, h));
            int dark = 0, colours = 0;
            var seen = new HashSet<int>();
            for (int i = 0; i < shot.Pixels.Length; i += 3)
            {
                int rgb = shot.Pixels[i] << 16 | shot.Pixels[i + 1] << 8 | shot.Pixels[i + 2];
                if (seen.Add(rgb)) colours++;
                if (shot.Pixels[i] + shot.Pixels[i + 1] + shot.Pixels[i + 2] < 600) dark++;
            }
            Assert.True(colours > 8 && dark > shot.Width * shot.Height / 100, $"{e.ToJsonString()} looks blank ({colours} colours, {dark} non-white pixels)");
        }

        // Sorting: clicking the deletion column header orders the methods by their deletion AUC, a second click reverses it.
        string Order() => browser.Evaluate("Array.from(document.querySelectorAll('#table-summary tbody tr')).map(function (r) { return r.cells[0].textContent; }).join(',')")!.GetValue<string>();
        Assert.Equal("gradcam,scorecam,gradient,rise", Order());
        browser.Evaluate("document.querySelectorAll('#table-summary th')[2].click(); 0");
        Assert.Equal("scorecam,gradcam,rise,gradient", Order());
        browser.Evaluate("document.querySelectorAll('#table-summary th')[2].click(); 0");
        Assert.Equal("gradient,rise,gradcam,scorecam", Order());
        browser.Evaluate("document.querySelectorAll('#table-summary th')[6].click(); 0"); // shap-error: gradient has no value and sorts last
        Assert.EndsWith(",gradient", Order());

        Assert.Empty(browser.Errors);
        double height = (double)browser.Evaluate("document.documentElement.scrollHeight")!;
        double width = (double)browser.Evaluate("document.documentElement.scrollWidth")!;
        string artifact = Path.Combine(TestFolder.Artifacts("report-html"), "report.png");
        File.WriteAllBytes(artifact, browser.Screenshot(0, 0, width, height));
        File.Copy(_dir["report.html"], Path.Combine(TestFolder.Artifacts("report-html"), "report.html"), overwrite: true);
        Console.WriteLine($"screenshot of report.html: {artifact}");
    }
}
