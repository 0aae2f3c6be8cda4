using System.Globalization;
using System.Text;
using XRayFlow.Core.Text;

namespace XRayFlow.Pipeline.Reporting;

/// <summary>Text made safe for HTML, and numbers as the report prints them.</summary>
internal static class Html
{
    /// <summary>Escapes &amp; &lt; &gt; " ' and shows control characters as \xNN (names and paths are untrusted).</summary>
    public static string E(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        string printable = Printable.Escape(text);
        var sb = new StringBuilder(printable.Length + 16);
        foreach (char c in printable)
        {
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }

    /// <summary>A relative URL of a file under --out: each path segment percent-encoded (a '#' or '?' in a name stays a name).</summary>
    public static string Href(string relativePath)
        => E(string.Join('/', relativePath.Split('/').Select(Uri.EscapeDataString)));

    /// <summary>A number with at most 4 significant digits (whole numbers below 10^7 in full); "–" for NaN.</summary>
    public static string N(double v)
    {
        if (double.IsNaN(v))
        {
            return "–";
        }

        if (double.IsInfinity(v))
        {
            return v > 0 ? "inf" : "-inf";
        }

        if (v == Math.Floor(v) && Math.Abs(v) < 1e7)
        {
            return v.ToString("0", CultureInfo.InvariantCulture);
        }

        double a = Math.Abs(v);
        return a switch
        {
            >= 1e-3 and < 1e4 => v.ToString("G4", CultureInfo.InvariantCulture),
            >= 1e4 and < 1e7 => v.ToString("0", CultureInfo.InvariantCulture),
            _ => v.ToString("0.###e+0", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Milliseconds as "12.3 ms" or "1.24 s".</summary>
    public static string Ms(double ms)
        => ms >= 1000 ? (ms / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s"
            : ms >= 10 ? ms.ToString("0", CultureInfo.InvariantCulture) + " ms"
            : ms.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>An invariant number for SVG coordinates.</summary>
    public static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    public static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>An HTML id made of a prefix and a recipe name ([A-Za-z0-9_] kept, anything else as -xx).</summary>
    public static string Id(string prefix, string name)
    {
        var sb = new StringBuilder(prefix);
        foreach (char c in name)
        {
            if (char.IsAsciiLetterOrDigit(c) || c == '_')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('-').Append(((int)c).ToString("x", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }
}
