using System.Security;
using System.Text;

namespace EvalHarness.Reports.Plots;

/// <summary>A minimal SVG 1.1 writer: shapes and text with invariant-culture coordinates, XML-escaped text.</summary>
internal sealed class Svg
{
    public const string FontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif";

    private readonly StringBuilder _sb = new();

    public Svg(double width, double height, string title)
    {
        Width = width;
        Height = height;
        _sb.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        _sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{C(width)}\" height=\"{C(height)}\" viewBox=\"0 0 {C(width)} {C(height)}\" ")
           .Append($"font-family=\"{FontFamily}\" font-size=\"12\" role=\"img\">\n");
        _sb.Append("<title>").Append(Esc(title)).Append("</title>\n");
        Rect(0, 0, width, height, "#ffffff", null);
    }

    public double Width { get; }

    public double Height { get; }

    private static string C(double v) => Num.Coord(v);

    public static string Esc(string text) => SecurityElement.Escape(text) ?? "";

    public Svg Open(string cls, string? dataName = null, string? dataValue = null)
    {
        _sb.Append("<g class=\"").Append(Esc(cls)).Append('"');
        if (dataName is not null) _sb.Append(" data-").Append(dataName).Append("=\"").Append(Esc(dataValue ?? "")).Append('"');
        _sb.Append(">\n");
        return this;
    }

    public Svg Close()
    {
        _sb.Append("</g>\n");
        return this;
    }

    public Svg Rect(double x, double y, double w, double h, string fill, string? stroke, string? extra = null)
    {
        _sb.Append($"<rect x=\"{C(x)}\" y=\"{C(y)}\" width=\"{C(Math.Max(0, w))}\" height=\"{C(Math.Max(0, h))}\" fill=\"{fill}\"");
        if (stroke is not null) _sb.Append($" stroke=\"{stroke}\"");
        if (extra is not null) _sb.Append(' ').Append(extra);
        _sb.Append("/>\n");
        return this;
    }

    public Svg Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string? dash = null, string? cls = null)
    {
        _sb.Append($"<line x1=\"{C(x1)}\" y1=\"{C(y1)}\" x2=\"{C(x2)}\" y2=\"{C(y2)}\" stroke=\"{stroke}\" stroke-width=\"{C(width)}\"");
        if (dash is not null) _sb.Append($" stroke-dasharray=\"{dash}\"");
        if (cls is not null) _sb.Append($" class=\"{cls}\"");
        _sb.Append("/>\n");
        return this;
    }

    public Svg Polyline(IEnumerable<(double X, double Y)> points, string stroke, double width, string? dash = null, string cls = "line")
    {
        _sb.Append($"<polyline class=\"{cls}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{C(width)}\" stroke-linejoin=\"round\"");
        if (dash is not null) _sb.Append($" stroke-dasharray=\"{dash}\"");
        _sb.Append(" points=\"").Append(string.Join(" ", points.Select(p => C(p.X) + "," + C(p.Y)))).Append("\"/>\n");
        return this;
    }

    public Svg Polygon(IEnumerable<(double X, double Y)> points, string fill, double opacity, string cls = "band")
    {
        _sb.Append($"<polygon class=\"{cls}\" fill=\"{fill}\" fill-opacity=\"{C(opacity)}\" stroke=\"none\" points=\"")
           .Append(string.Join(" ", points.Select(p => C(p.X) + "," + C(p.Y)))).Append("\"/>\n");
        return this;
    }

    /// <summary>A marker of shape <paramref name="shape"/> (0 circle, 1 square, 2 triangle, 3 diamond, …) centred at (x, y).</summary>
    public Svg Marker(double x, double y, int shape, string fill, double r = 3.2, string? cls = "point", string? tooltip = null)
    {
        string attrs = $"class=\"{cls}\" fill=\"{fill}\" fill-opacity=\"0.75\" stroke=\"{fill}\" stroke-width=\"0.6\"";
        string close = tooltip is null ? "/>\n" : $"><title>{Esc(tooltip)}</title></{(shape % 4 == 0 ? "circle" : shape % 4 == 1 ? "rect" : "polygon")}>\n";
        switch (shape % 4)
        {
            case 0:
                _sb.Append($"<circle {attrs} cx=\"{C(x)}\" cy=\"{C(y)}\" r=\"{C(r)}\"").Append(close);
                break;
            case 1:
                _sb.Append($"<rect {attrs} x=\"{C(x - r * 0.9)}\" y=\"{C(y - r * 0.9)}\" width=\"{C(1.8 * r)}\" height=\"{C(1.8 * r)}\"").Append(close);
                break;
            case 2:
                _sb.Append($"<polygon {attrs} points=\"{C(x)},{C(y - 1.2 * r)} {C(x + 1.1 * r)},{C(y + 0.8 * r)} {C(x - 1.1 * r)},{C(y + 0.8 * r)}\"").Append(close);
                break;
            default:
                _sb.Append($"<polygon {attrs} points=\"{C(x)},{C(y - 1.3 * r)} {C(x + 1.1 * r)},{C(y)} {C(x)},{C(y + 1.3 * r)} {C(x - 1.1 * r)},{C(y)}\"").Append(close);
                break;
        }
        return this;
    }

    /// <summary>Text; <paramref name="anchor"/> is start, middle or end; <paramref name="rotate"/> turns it about (x, y).</summary>
    public Svg Text(double x, double y, string text, string anchor = "start", double size = 12, string? weight = null, double rotate = 0,
        string? cls = null, string fill = "#222222")
    {
        _sb.Append($"<text x=\"{C(x)}\" y=\"{C(y)}\" text-anchor=\"{anchor}\" font-size=\"{C(size)}\" fill=\"{fill}\"");
        if (weight is not null) _sb.Append($" font-weight=\"{weight}\"");
        if (rotate != 0) _sb.Append($" transform=\"rotate({C(rotate)} {C(x)} {C(y)})\"");
        if (cls is not null) _sb.Append($" class=\"{cls}\"");
        _sb.Append('>').Append(Esc(text)).Append("</text>\n");
        return this;
    }

    /// <summary>Approximate rendered width of <paramref name="text"/> in a sans-serif font (for layout only).</summary>
    public static double TextWidth(string text, double size = 12) => text.Length * size * 0.6;

    public override string ToString() => _sb.ToString() + "</svg>\n";
}
