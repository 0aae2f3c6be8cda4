using System.Text.RegularExpressions;

namespace XRayFlow.Pipeline.Syntax;

/// <summary>
/// Lets a reference <c>${name}</c> stand unquoted inside a flow list or map (<c>in_range: [${p1}, ${p99}]</c>,
/// <c>box: [0, 0, ${rows}, ${cols}]</c>), as the recipe language writes it. Strict YAML ends a plain scalar at
/// a flow indicator, so <c>[${p1}]</c> would read as "$" followed by a map. Before parsing, the two braces of
/// every <c>${...}</c> on one line (a reference, or what the binder will report as a bad one) are replaced by two private-use characters (U+E000, U+E001: printable in YAML,
/// one character each, so every line and column stays where it was); every scalar read gets its braces back.
/// A text that already holds either character is parsed as written (no reference is shielded), so no
/// character of a recipe can ever be changed into a brace that was not there. The meaning of valid YAML never
/// changes: in a flow collection <c>${</c> is a syntax error, and elsewhere (block values, quoted and block
/// scalars, comments) the braces are text that comes back unchanged.
/// </summary>
internal static partial class ReferenceBraces
{
    private const char Open = '\uE000';
    private const char Close = '\uE001';

    [GeneratedRegex(@"\$\{([^{}\r\n]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Reference();

    /// <summary>The text with the braces of each one-line <c>${...}</c> shielded; the same string instance when nothing
    /// is shielded (then <see cref="Restore"/> must not be applied).</summary>
    public static string Shield(string text)
    {
        if (!text.Contains("${", StringComparison.Ordinal) || text.Contains(Open) || text.Contains(Close))
        {
            return text;
        }

        return Reference().Replace(text, m => "$" + Open + m.Groups[1].Value + Close);
    }

    /// <summary>A value parsed from a shielded text with its braces given back.</summary>
    public static string Restore(string value)
        => value.Contains(Open) || value.Contains(Close) ? value.Replace(Open, '{').Replace(Close, '}') : value;
}
