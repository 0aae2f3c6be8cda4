using System.Text;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Text;

namespace XRayFlow.Cli.Output;

/// <summary>
/// How a diagnostic looks. Not on a terminal (a pipe, a file, CI): the one compiler-style line
/// (<c>path:line:col: error XRF1003: message</c>) that scripts and editors parse. On a terminal: the severity in
/// colour and, when the location is a readable file, the source line with a caret under the column, as rustc does:
/// <code>
/// error[XRF1003]: no op named 'abss'; did you mean 'abs'?
///   --> recipe.yaml:14:9
///    |
/// 14 |     op: abss
///    |         ^^^^
/// </code>
/// Everything taken from the file or the message is escaped (<see cref="Printable.Escape"/>): only the renderer's
/// own colour codes reach the terminal.
/// </summary>
internal static class DiagnosticRenderer
{
    /// <summary>The largest source file read to show a line (a recipe is at most 1 MiB).</summary>
    public const long MaxSourceBytes = 1 << 20;

    private const string Reset = "\u001b[0m";
    private const string Bold = "\u001b[1m";
    private const string Blue = "\u001b[1;34m";

    /// <summary>The text to print (ends with a newline). <paramref name="terminal"/> false: the plain line.</summary>
    public static string Render(Diagnostic d, bool terminal, Func<string, int, string?>? sourceLine = null)
    {
        if (!terminal)
        {
            return d.ToString() + "\n";
        }

        sourceLine ??= ReadLine;
        string sev = d.Severity switch { Severity.Error => "error", Severity.Warning => "warning", _ => "info" };
        string colour = d.Severity switch { Severity.Error => "\u001b[1;31m", Severity.Warning => "\u001b[1;33m", _ => "\u001b[1;36m" };
        var sb = new StringBuilder();
        sb.Append(colour).Append(sev).Append('[').Append(d.Code).Append(']').Append(Reset)
          .Append(Bold).Append(": ").Append(Printable.Escape(d.Message)).Append(Reset).Append('\n');
        if (d.Location is not { } loc)
        {
            return sb.ToString();
        }

        string? line = loc.Line >= 1 ? sourceLine(loc.File, loc.Line) : null;
        string number = loc.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string pad = new(' ', number.Length);
        sb.Append(pad).Append(Blue).Append("--> ").Append(Reset).Append(Printable.Escape(loc.ToString())).Append('\n');
        if (line is null)
        {
            return sb.ToString();
        }

        string shown = Printable.Escape(line.TrimEnd('\r'));
        int col = Math.Clamp(loc.Column, 1, shown.Length + 1);
        sb.Append(pad).Append(Blue).Append(" |").Append(Reset).Append('\n');
        sb.Append(Blue).Append(number).Append(" | ").Append(Reset).Append(shown).Append('\n');
        // Tabs stay tabs under the caret so it lines up with the source whatever the tab width.
        var lead = new StringBuilder();
        for (int k = 0; k < col - 1; k++)
        {
            lead.Append(shown[k] == '\t' ? '\t' : ' ');
        }

        sb.Append(pad).Append(Blue).Append(" | ").Append(Reset).Append(lead).Append(colour).Append('^', TokenLength(shown, col - 1)).Append(Reset).Append('\n');
        return sb.ToString();
    }

    /// <summary>The length of the token at <paramref name="start"/> (up to a space, a comma, a bracket, a quote's end or a comment), at least 1.</summary>
    internal static int TokenLength(string line, int start)
    {
        if (start >= line.Length)
        {
            return 1;
        }

        char quote = line[start] is '"' or '\'' ? line[start] : '\0';
        int k = start + 1;
        while (k < line.Length)
        {
            char c = line[k];
            if (quote != '\0')
            {
                k++;
                if (c == quote)
                {
                    break;
                }

                continue;
            }

            if (char.IsWhiteSpace(c) || c is ',' or ']' or '}' or '#' or ':')
            {
                break;
            }

            k++;
        }

        return Math.Max(1, k - start);
    }

    /// <summary>Line <paramref name="number"/> (1-based) of a regular file of at most <see cref="MaxSourceBytes"/>, or null.</summary>
    private static string? ReadLine(string path, int number)
    {
        try
        {
            var facts = Core.IO.UntrustedFile.Stat(path);
            if (facts.Kind != Core.IO.FileKind.Regular || facts.Length > MaxSourceBytes)
            {
                return null;
            }

            return File.ReadLines(path).Skip(number - 1).FirstOrDefault();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }
}
