using System.Globalization;
using System.Text;

namespace XRayFlow.Core.Text;

/// <summary>
/// Text that is safe to show on a terminal: file names, DICOM header strings and error messages can hold
/// control characters (ESC starts a terminal escape sequence, BEL rings, CR overwrites a line).
/// </summary>
public static class Printable
{
    /// <summary>
    /// <paramref name="text"/> with every control character (U+0000..U+001F, U+007F and the C1 controls
    /// U+0080..U+009F) written as <c>\xNN</c> (two lowercase hex digits, as Python's repr); everything else, backslash included,
    /// is kept as is. Returns the same instance when there is nothing to escape.
    /// </summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int first = 0;
        while (first < text.Length && !IsControl(text[first]))
        {
            first++;
        }

        if (first == text.Length)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 8);
        sb.Append(text, 0, first);
        for (int k = first; k < text.Length; k++)
        {
            char c = text[k];
            if (IsControl(c))
            {
                sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary>C0 controls, DEL and the C1 controls.</summary>
    public static bool IsControl(char c) => c < 0x20 || (c >= 0x7F && c <= 0x9F);
}
