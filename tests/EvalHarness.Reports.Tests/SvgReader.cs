using System.Globalization;
using System.Xml.Linq;

namespace EvalHarness.Reports.Tests;

/// <summary>Reads a chart back from its SVG: the axes' tick labels give the pixel ↔ value mapping.</summary>
internal sealed class SvgReader
{
    public static readonly XNamespace Ns = "http://www.w3.org/2000/svg";

    public SvgReader(string svg)
    {
        Doc = XDocument.Parse(svg);
        Assert.Equal(Ns + "svg", Doc.Root!.Name);
    }

    public XDocument Doc { get; }

    public IEnumerable<XElement> All(string name) => Doc.Descendants(Ns + name);

    public IEnumerable<XElement> Class(string cls) => Doc.Descendants().Where(e => (string?)e.Attribute("class") == cls);

    public XElement Series(string method) => Class("series").Single(g => (string?)g.Attribute("data-method") == method);

    public static double D(XElement e, string attribute) => double.Parse((string)e.Attribute(attribute)!, CultureInfo.InvariantCulture);

    /// <summary>value(pixel) from the first and last tick of an axis group ("x-axis": x of the label; "y-axis": y − 4 of the label).</summary>
    public Func<double, double> Axis(string group)
    {
        var ticks = Class(group).Single().Elements(Ns + "text").Where(t => (string?)t.Attribute("class") == "tick").ToList();
        Assert.True(ticks.Count >= 3, $"{group}: {ticks.Count} ticks");
        bool x = group == "x-axis";
        var pairs = ticks.Select(t => (Pixel: x ? D(t, "x") : D(t, "y") - 4, Value: double.Parse(t.Value, CultureInfo.InvariantCulture))).ToList();
        var (p0, v0) = pairs[0];
        var (p1, v1) = pairs[^1];
        return p => v0 + (p - p0) * (v1 - v0) / (p1 - p0);
    }

    public static List<(double X, double Y)> Points(XElement polyline) =>
        ((string)polyline.Attribute("points")!).Split(' ').Select(p => p.Split(','))
            .Select(a => (double.Parse(a[0], CultureInfo.InvariantCulture), double.Parse(a[1], CultureInfo.InvariantCulture))).ToList();
}
