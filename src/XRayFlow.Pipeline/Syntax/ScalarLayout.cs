using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlStyle = YamlDotNet.Core.ScalarStyle;

namespace XRayFlow.Pipeline.Syntax;

/// <summary>
/// Decodes a scalar again from its source text (the recipe's lines between YamlDotNet's start and end marks),
/// recording for each character of the value the 1-based line and column of the source text that produced it: a
/// plain character its own position; an escape (<c>\t</c>, <c>\"</c>, <c>\u0020</c>, <c>\U0001F600</c>'s two UTF-16
/// characters) or a single-quoted <c>''</c> the position of its first character; a folded line break (a space or a
/// line feed) the line break it stands for, at the end of its line; a block scalar's line feed its line's end. The
/// last position is just after the value: the closing quote, a plain scalar's end, the start of the line after a
/// block's last line break. When the decoding does not give exactly the parser's value (a form this class does not
/// know), the answer is null and the value is mapped as written (<see cref="Core.Diagnostics.SourceMap.AsWritten"/>).
/// </summary>
internal static class ScalarLayout
{
    /// <summary>The positions of <paramref name="value"/>'s characters and one past its end (value.Length + 1), or null.</summary>
    /// <param name="lines">The recipe text split at '\n' (a line may end with '\r').</param>
    /// <param name="style">The scalar's style.</param>
    /// <param name="start">The scalar's start mark: its first character, opening quote or block indicator.</param>
    /// <param name="end">The scalar's end mark: just after its last character.</param>
    /// <param name="value">The value the parser read (braces restored).</param>
    public static (int Line, int Column)[]? Of(string[] lines, YamlStyle style, Mark start, Mark end, string value)
    {
        try
        {
            var reader = new Source(lines);
            return style switch
            {
                YamlStyle.DoubleQuoted or YamlStyle.SingleQuoted or YamlStyle.Plain or YamlStyle.Any
                    => Flow(reader, style, (int)start.Line - 1, (int)start.Column - 1, (int)end.Line - 1, (int)end.Column - 1, value),
                YamlStyle.Literal or YamlStyle.Folded
                    => Block(reader, style == YamlStyle.Folded, (int)start.Line - 1, (int)end.Line - 1, (int)end.Column - 1, value),
                _ => null,
            };
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or FormatException or OverflowException)
        {
            return null; // a shape this decoder does not expect: the value is mapped as written
        }
    }

    /// <summary>A plain, single- or double-quoted scalar: escapes, and flow folding of its line breaks.</summary>
    private static (int Line, int Column)[]? Flow(Source src, YamlStyle style, int li, int ci, int endLi, int endCi, string value)
    {
        bool dq = style == YamlStyle.DoubleQuoted, sq = style == YamlStyle.SingleQuoted, plain = !dq && !sq;
        var o = new Output(value.Length);
        if (!plain)
        {
            ci++; // the opening quote
        }

        while (true)
        {
            if (li >= src.Count)
            {
                return null;
            }

            if (plain && (li > endLi || (li == endLi && ci >= endCi)))
            {
                return o.Finish(value, (endLi + 1, endCi + 1));
            }

            string line = src[li];
            if (ci >= line.Length)
            {
                // A line break inside the scalar: folded to a space, or to one line feed per blank line after it.
                if (li + 1 >= src.Count)
                {
                    return null;
                }

                var lineBreak = (li + 1, line.Length + 1);
                int next = li + 1;
                int blanks = 0;
                while (next < src.Count && (!plain || next < endLi) && Source.IsBlank(src[next]))
                {
                    o.Add('\n', (next + 1, src[next].Length + 1));
                    blanks++;
                    next++;
                }

                if (blanks == 0)
                {
                    o.Add(' ', lineBreak);
                }

                li = next;
                ci = Source.SkipWhite(src[li], 0);
                continue;
            }

            char c = line[ci];
            var here = (li + 1, ci + 1);
            if (c is ' ' or '\t' && Source.SkipWhite(line, ci) == line.Length && !(plain && li == endLi))
            {
                ci = line.Length; // white space before a line break is not content
                continue;
            }

            if (dq && c == '"')
            {
                return o.Finish(value, here);
            }

            if (sq && c == '\'')
            {
                if (ci + 1 < line.Length && line[ci + 1] == '\'')
                {
                    o.Add('\'', here);
                    ci += 2;
                    continue;
                }

                return o.Finish(value, here);
            }

            if (dq && c == '\\')
            {
                if (ci + 1 >= line.Length)
                {
                    // An escaped line break: no content, but each blank line after it is a line feed.
                    li++;
                    while (li < src.Count && Source.IsBlank(src[li]))
                    {
                        o.Add('\n', (li + 1, src[li].Length + 1));
                        li++;
                    }

                    if (li >= src.Count)
                    {
                        return null;
                    }

                    ci = Source.SkipWhite(src[li], 0);
                    continue;
                }

                string? decoded = Escape(line, ci, out int length);
                if (decoded is null)
                {
                    return null;
                }

                foreach (char d in decoded)
                {
                    o.Add(d, here);
                }

                ci += length;
                continue;
            }

            o.Add(c, here);
            ci++;
        }
    }

    /// <summary>The text of the escape at <paramref name="at"/> (a backslash) and its length in the source; null when unknown.</summary>
    private static string? Escape(string line, int at, out int length)
    {
        char e = line[at + 1];
        length = 2;
        switch (e)
        {
            case '0': return "\0";
            case 'a': return "\a";
            case 'b': return "\b";
            case 't' or '\t': return "\t";
            case 'n': return "\n";
            case 'v': return "\v";
            case 'f': return "\f";
            case 'r': return "\r";
            case 'e': return "\u001B";
            case ' ': return " ";
            case '"': return "\"";
            case '/': return "/";
            case '\\': return "\\";
            case 'N': return "\u0085";
            case '_': return "\u00A0";
            case 'L': return "\u2028";
            case 'P': return "\u2029";
        }

        int digits = e switch
        {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            _ => 0,
        };
        if (digits == 0 || at + 2 + digits > line.Length
            || !int.TryParse(line.AsSpan(at + 2, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code)
            || code < 0 || code > 0x10FFFF)
        {
            return null;
        }

        length = 2 + digits;
        return code <= 0xFFFF ? ((char)code).ToString() : char.ConvertFromUtf32(code);
    }

    /// <summary>A literal (|) or folded (&gt;) block scalar; its indentation is found by trying each one the value could have.</summary>
    private static (int Line, int Column)[]? Block(Source src, bool folded, int headerLi, int endLi, int endCi, string value)
    {
        if (value.Length == 0)
        {
            return null;
        }

        int last = Math.Min(src.Count - 1, endCi > 0 ? endLi : endLi - 1);
        int firstIndent = -1;
        for (int li = headerLi + 1; li <= last && firstIndent < 0; li++)
        {
            string line = src[li];
            int indent = Source.SkipSpaces(line, 0);
            if (indent < line.Length)
            {
                firstIndent = indent;
            }
        }

        // The indentation is the first text line's (auto-detected), or less with an explicit indentation indicator.
        for (int n = firstIndent; n >= 0; n--)
        {
            if (BlockWithIndent(src, folded, headerLi, last, n, value) is { } positions)
            {
                return positions;
            }
        }

        return null;
    }

    private enum LineKind
    {
        None,
        Normal,
        Spaced,
    }

    private static (int Line, int Column)[]? BlockWithIndent(Source src, bool folded, int headerLi, int last, int n, string value)
    {
        var o = new Output(value.Length + 4);
        var prev = LineKind.None;
        (int Line, int Column) pendingBreak = default;
        int pendingBreakLi = -1;
        var blanks = new List<int>();
        int li = headerLi + 1;
        for (; li <= last; li++)
        {
            string line = src[li];
            int indent = Source.SkipSpaces(line, 0);
            if (indent == line.Length && indent <= n)
            {
                blanks.Add(li);
                continue;
            }

            if (indent < n)
            {
                break; // a less indented line ends the block (a comment after it)
            }

            var kind = folded && line[n] is not (' ' or '\t') ? LineKind.Normal : LineKind.Spaced;
            if (prev == LineKind.Normal && kind == LineKind.Normal && blanks.Count == 0)
            {
                o.Add(' ', pendingBreak);
            }
            else if (prev != LineKind.None && !(prev == LineKind.Normal && kind == LineKind.Normal))
            {
                o.Add('\n', pendingBreak, pendingBreakLi);
            }

            foreach (int b in blanks)
            {
                o.Add('\n', (b + 1, src[b].Length + 1), b);
            }

            blanks.Clear();
            for (int j = n; j < line.Length; j++)
            {
                o.Add(line[j], (li + 1, j + 1));
            }

            pendingBreak = (li + 1, line.Length + 1);
            pendingBreakLi = li;
            prev = kind;
        }

        if (prev != LineKind.None)
        {
            o.Add('\n', pendingBreak, pendingBreakLi);
        }

        foreach (int b in blanks)
        {
            o.Add('\n', (b + 1, src[b].Length + 1), b);
        }

        // Chomping keeps all, one or none of the line feeds at the end: the value is a prefix followed only by line feeds.
        if (!o.StartsWith(value) || o.Text.Skip(value.Length).Any(c => c != '\n'))
        {
            return null;
        }

        var end = o.LineOfBreak(value.Length - 1) is int breakLi and >= 0
            ? (breakLi + 2, n + 1)
            : (o.Positions[value.Length - 1].Line, o.Positions[value.Length - 1].Column + 1);
        return [.. o.Positions.Take(value.Length), end];
    }

    /// <summary>The recipe's lines without their '\r'.</summary>
    private readonly struct Source(string[] lines)
    {
        public int Count => lines.Length;

        public string this[int li] => lines[li].EndsWith('\r') ? lines[li][..^1] : lines[li];

        public static bool IsBlank(string line) => SkipWhite(line, 0) == line.Length;

        public static int SkipWhite(string line, int from)
        {
            while (from < line.Length && line[from] is ' ' or '\t')
            {
                from++;
            }

            return from;
        }

        public static int SkipSpaces(string line, int from)
        {
            while (from < line.Length && line[from] == ' ')
            {
                from++;
            }

            return from;
        }
    }

    /// <summary>The decoded characters and their positions; for a block's line feeds, the line whose break it is.</summary>
    private sealed class Output(int capacity)
    {
        private readonly StringBuilder _text = new(capacity);
        private readonly List<int> _breakLines = new(capacity);

        public List<(int Line, int Column)> Positions { get; } = new(capacity + 1);

        public string Text => _text.ToString();

        public void Add(char c, (int Line, int Column) at, int breakLine = -1)
        {
            _text.Append(c);
            Positions.Add(at);
            _breakLines.Add(breakLine);
        }

        public int LineOfBreak(int k) => _breakLines[k];

        public bool StartsWith(string value) => _text.Length >= value.Length && _text.ToString(0, value.Length) == value;

        public (int Line, int Column)[]? Finish(string value, (int Line, int Column) end)
            => _text.Length == value.Length && _text.ToString() == value ? [.. Positions, end] : null;
    }
}
