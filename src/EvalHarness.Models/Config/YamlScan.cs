using YamlDotNet.Core;

namespace EvalHarness.Models.Config;

/// <summary>
/// Positions for YAML errors that YamlDotNet reports without one: its scanner can give up on an unclosed
/// flow collection ("[a, b" at the end of a line) with an InvalidOperationException that carries no mark.
/// </summary>
public static class YamlScan
{
    /// <summary>The message config readers give for that failure, at <see cref="LastReadablePosition"/>.</summary>
    public const string UnclosedMessage =
        "YAML syntax error after this point: an unclosed [ or { (a flow list or mapping must close on the same entry), or an unbalanced quote.";

    /// <summary>The 1-based line and column of the last token the scanner could read: where the problem starts.</summary>
    public static (int Line, int Column) LastReadablePosition(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var scanner = new Scanner(new StringReader(yaml));
        var last = new Mark();
        try
        {
            while (scanner.MoveNext()) last = scanner.Current!.Start;
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
        }
        return ((int)last.Line, (int)last.Column);
    }
}
