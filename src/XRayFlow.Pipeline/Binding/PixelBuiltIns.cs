namespace XRayFlow.Pipeline.Binding;

/// <summary>
/// The built-ins every expression sees for the pixel it computes (i, j, rows, cols), and where an expression text
/// uses one. The scan is plain text (no Roslyn in the pipeline): names after a '.' are members (`Math.E`), digits
/// start a number (`1e-3f`, `0x1F`), quotes and comments are skipped (the allow-list refuses them later), `@i` and
/// `\u0069` are the name `i`, as C# reads them.
/// </summary>
internal static class PixelBuiltIns
{
    private static readonly string[] Meanings = ["the row index", "the column index", "the number of rows", "the number of columns"];

    /// <summary>What the built-in <paramref name="name"/> (one of <see cref="Core.Expressions.ExpressionNames.PixelBuiltIns"/>) is ("the row index"), or null when it is none.</summary>
    public static string? Describe(string name)
    {
        var names = Core.Expressions.ExpressionNames.PixelBuiltIns;
        for (int k = 0; k < names.Count; k++)
        {
            if (names[k] == name)
            {
                return Meanings[k];
            }
        }

        return null;
    }

    /// <summary>The first per-pixel built-in <paramref name="text"/> uses as a name, with its offset; null when none.</summary>
    public static (string Name, int Offset)? FirstUse(string text) => FirstUse(text, name => Describe(name) is not null);

    /// <summary>The first name <paramref name="text"/> uses (not a member after a '.') that <paramref name="wanted"/> accepts, with its offset; null when none.</summary>
    public static (string Name, int Offset)? FirstUse(string text, Func<string, bool> wanted)
    {
        bool afterDot = false;
        int k = 0;
        while (k < text.Length)
        {
            char c = text[k];
            char next = k + 1 < text.Length ? text[k + 1] : '\0';
            if (char.IsWhiteSpace(c))
            {
                k++;
            }
            else if (c is '"' or '\'')
            {
                k = SkipQuoted(text, k);
                afterDot = false;
            }
            else if (c == '/' && next == '/')
            {
                int end = text.IndexOf('\n', k);
                k = end < 0 ? text.Length : end;
            }
            else if (c == '/' && next == '*')
            {
                int end = text.IndexOf("*/", k + 2, StringComparison.Ordinal);
                k = end < 0 ? text.Length : end + 2;
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(next)))
            {
                while (k < text.Length && (char.IsLetterOrDigit(text[k]) || text[k] is '_' or '.'))
                {
                    k++;
                }

                afterDot = false;
            }
            else if (c == '@' || c == '_' || c == '\\' || char.IsLetter(c))
            {
                int start = k;
                string name = ReadName(text, ref k);
                if (!afterDot && wanted(name))
                {
                    return (name, start);
                }

                afterDot = false;
                if (k == start)
                {
                    k++; // a lone '@' or '\': not a name
                }
            }
            else
            {
                afterDot = c == '.';
                k++;
            }
        }

        return null;
    }

    /// <summary>A name from <paramref name="k"/> (a leading '@' dropped, \uXXXX and \UXXXXXXXX escapes decoded).</summary>
    private static string ReadName(string text, ref int k)
    {
        var sb = new System.Text.StringBuilder();
        if (text[k] == '@')
        {
            k++;
        }

        while (k < text.Length)
        {
            char c = text[k];
            if (c == '\\' && k + 1 < text.Length && text[k + 1] is 'u' or 'U')
            {
                int digits = text[k + 1] == 'u' ? 4 : 8;
                if (k + 2 + digits > text.Length
                    || !int.TryParse(text.AsSpan(k + 2, digits), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out int code)
                    || code > 0x10FFFF)
                {
                    break;
                }

                sb.Append(char.ConvertFromUtf32(code is >= 0xD800 and <= 0xDFFF ? 0xFFFD : code));
                k += 2 + digits;
            }
            else if (char.IsLetterOrDigit(c) || c == '_')
            {
                sb.Append(c);
                k++;
            }
            else
            {
                break;
            }
        }

        return sb.ToString();
    }

    private static int SkipQuoted(string text, int k)
    {
        char quote = text[k++];
        while (k < text.Length && text[k] != quote)
        {
            k += text[k] == '\\' ? 2 : 1;
        }

        return Math.Min(k + 1, text.Length);
    }
}
