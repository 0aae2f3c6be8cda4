using System.Globalization;
using System.Text;

namespace XRayFlow.Core.Text;

/// <summary>
/// Text that came from a file or a file name, made safe to print on a terminal: a crafted DICOM header or file
/// name must not move the cursor, ring the bell, retitle the window or hide text (ANSI escape sequences,
/// carriage returns, bidirectional overrides).
/// </summary>
public static class Printable
{
    /// <summary>
    /// <paramref name="text"/> with every character a terminal would act on instead of printing replaced by an
    /// escape: C0 controls (NUL..US, including ESC, BEL, CR, LF, TAB), DEL and C1 controls (U+0080..U+009F) as
    /// <c>\xHH</c> (ESC is <c>\x1b</c>); line and paragraph separators, bidirectional marks, embeddings, overrides
    /// and isolates (U+200E, U+200F, U+202A..U+202E, U+2066..U+2069), the byte order mark and unpaired surrogates
    /// as <c>\uHHHH</c>. Every other character, ASCII or not, is kept. Null gives the empty string.
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        int first = 0;
        while (first < text.Length && !NeedsEscape(text, first))
        {
            first++;
        }

        if (first == text.Length)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16);
        sb.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[i + 1]);
                i++;
            }
            else if (!NeedsEscape(text, i))
            {
                sb.Append(c);
            }
            else if (c <= 0xFF)
            {
                sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// <see cref="Escape"/>, cut to at most <paramref name="maxChars"/> characters of the original (then "..."):
    /// for quoting a value read from a file in a message, never a whole file.
    /// </summary>
    public static string Excerpt(string? text, int maxChars = 40)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (text.Length <= maxChars)
        {
            return Escape(text);
        }

        int cut = maxChars;
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return Escape(text[..cut]) + "...";
    }

    /// <summary>C0 controls, DEL and the C1 controls.</summary>
    public static bool IsControl(char c) => c < 0x20 || (c >= 0x7F && c <= 0x9F);

    private static bool NeedsEscape(string text, int i)
    {
        char c = text[i];
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
        {
            return true;
        }

        if (c < 0x200E)
        {
            return false;
        }

        if (c is '\u200E' or '\u200F' or '\u2028' or '\u2029' or '\uFEFF' || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069'))
        {
            return true;
        }

        if (char.IsHighSurrogate(c))
        {
            return !(i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]));
        }

        if (char.IsLowSurrogate(c))
        {
            return !(i > 0 && char.IsHighSurrogate(text[i - 1]));
        }

        return false;
    }
}
